package headwise.viz;

/**
 * "Hide sinks and renormalise" for any attention heatmap: the keys a head uses as sinks (sink score above ε) are
 * dropped and each query row is divided by what is left, so the weights the sink hid become readable on a linear
 * scale. Pure arrays, so the head detail, the flow page and exports share it.
 */
public final class SinkHiding {

    private SinkHiding() {
    }

    /** Keys whose sink score exceeds {@code epsilon}: [T] flags from one head's [T] sink scores. */
    public static boolean[] sinkKeys(double[] sinkScores, double epsilon) {
        boolean[] out = new boolean[sinkScores.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = sinkScores[j] > epsilon;
        }
        return out;
    }

    /**
     * A copy of row-major T×T {@code matrix} with the {@code sinkKeys} columns set to 0 and every row rescaled to
     * sum to what it summed to before (1 for softmax rows); a row whose whole mass was on sinks becomes all 0.
     */
    public static float[] renormalise(float[] matrix, int length, boolean[] sinkKeys) {
        if (sinkKeys.length != length || matrix.length < length * length) {
            throw new IllegalArgumentException(sinkKeys.length + " sink flags or " + matrix.length + " values for " + length + " tokens");
        }
        float[] out = new float[length * length];
        for (int i = 0; i < length; i++) {
            int base = i * length;
            double total = 0;
            double kept = 0;
            for (int j = 0; j < length; j++) {
                total += matrix[base + j];
                if (!sinkKeys[j]) {
                    kept += matrix[base + j];
                }
            }
            double factor = kept > 0 ? total / kept : 0;
            for (int j = 0; j < length; j++) {
                out[base + j] = sinkKeys[j] ? 0f : (float) (matrix[base + j] * factor);
            }
        }
        return out;
    }

    /** Whether any key is flagged. */
    public static boolean any(boolean[] sinkKeys) {
        for (boolean s : sinkKeys) {
            if (s) {
                return true;
            }
        }
        return false;
    }
}
