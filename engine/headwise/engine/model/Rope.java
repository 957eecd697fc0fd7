package headwise.engine.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding on q or k [batch, pos, head, d_head] at positions offset…offset+pos−1.
 * Only the first r = {@link ModelSpec.Rope#rotated} channels of a head rotate (partial rotary: GPT-NeoX, Phi-3); the
 * rest pass through. Pair i (inverse frequency theta^(−2i/r), rescaled as rope_scaling says) is channels
 * (i, i + r/2) in the rotate-half layout (Hugging Face) and (2i, 2i+1) in the adjacent-pairs layout (llama2.c, GGUF).
 */
public final class Rope {

    private Rope() {
    }

    /** The cos/sin table of the last call on this thread: q and k of every layer of a run share their positions. */
    private static final ThreadLocal<Table> LAST = new ThreadLocal<>();

    /** cos and sin of each position's angle for each rotated pair, [length · half], for positions offset…. */
    private record Table(ModelSpec.Rope rope, int dHead, int offset, int length, double[] cos, double[] sin) {

        boolean fits(ModelSpec.Rope otherRope, int otherDHead, int otherOffset, int otherLength) {
            return rope.equals(otherRope) && dHead == otherDHead && offset == otherOffset && length == otherLength;
        }
    }

    static INDArray apply(INDArray x, ModelSpec.Rope rope, int offset) {
        long batch = x.size(0);
        int length = (int) x.size(1);
        long heads = x.size(2);
        int dHead = (int) x.size(3);
        int half = rope.rotated(dHead) / 2;
        Table table = table(rope, dHead, offset, length);
        double[] cos = table.cos();
        double[] sin = table.sin();
        float[] values = Ops.floats(x);
        boolean adjacent = rope.layout() == ModelSpec.RopeLayout.ADJACENT_PAIRS;
        for (long b = 0; b < batch; b++) {
            for (int p = 0; p < length; p++) {
                for (long h = 0; h < heads; h++) {
                    int base = (int) (((b * length + p) * heads + h) * dHead);
                    if (adjacent) {
                        rotateAdjacent(values, base, cos, sin, p * half, half);
                    } else {
                        rotateHalves(values, base, cos, sin, p * half, half);
                    }
                }
            }
        }
        return FloatRows.create(values, x.shape()); // one block copy (Nd4j.create copies element by element)
    }

    /** Pairs (i, i + half) of the head at {@code base}: the rotate-half layout, a loop the JIT vectorises. */
    private static void rotateHalves(float[] values, int base, double[] cos, double[] sin, int row, int half) {
        for (int i = 0; i < half; i++) {
            double c = cos[row + i];
            double s = sin[row + i];
            double a = values[base + i];
            double b = values[base + i + half];
            values[base + i] = (float) (a * c - b * s);
            values[base + i + half] = (float) (a * s + b * c);
        }
    }

    /** Pairs (2i, 2i + 1) of the head at {@code base}: llama2.c's and GGUF's layout. */
    private static void rotateAdjacent(float[] values, int base, double[] cos, double[] sin, int row, int half) {
        for (int i = 0; i < half; i++) {
            double c = cos[row + i];
            double s = sin[row + i];
            double a = values[base + 2 * i];
            double b = values[base + 2 * i + 1];
            values[base + 2 * i] = (float) (a * c - b * s);
            values[base + 2 * i + 1] = (float) (a * s + b * c);
        }
    }

    private static Table table(ModelSpec.Rope rope, int dHead, int offset, int length) {
        Table last = LAST.get();
        if (last != null && last.fits(rope, dHead, offset, length)) {
            return last;
        }
        int half = rope.rotated(dHead) / 2;
        double[] inverseFrequency = inverseFrequencies(rope, dHead);
        double[] cos = new double[length * half];
        double[] sin = new double[length * half];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                // float32 angles, as Hugging Face and llama2.c compute them
                float angle = (float) (offset + p) * (float) inverseFrequency[i];
                cos[p * half + i] = Math.cos(angle);
                sin[p * half + i] = Math.sin(angle);
            }
        }
        Table created = new Table(rope, dHead, offset, length, cos, sin);
        LAST.set(created);
        return created;
    }

    /**
     * RoPE's inverse frequencies for a head of dHead channels, one per rotated pair (rotated(dHead)/2 of them), with
     * rope_scaling (linear, llama3, per-pair factors) applied.
     */
    public static double[] inverseFrequencies(ModelSpec.Rope rope, int dHead) {
        int rotated = rope.rotated(dHead);
        int half = rotated / 2;
        double[] inverse = new double[half];
        for (int i = 0; i < half; i++) {
            inverse[i] = (float) (1.0 / Math.pow(rope.theta(), 2.0 * i / rotated));
        }
        ModelSpec.RopeScaling scaling = rope.scaling();
        if (scaling == null) {
            return inverse;
        }
        switch (scaling.type()) {
            case "linear" -> {
                for (int i = 0; i < half; i++) {
                    inverse[i] /= scaling.factor();
                }
            }
            case "llama3" -> {
                double lowFrequencyWavelength = scaling.originalMaxPositions() / scaling.lowFreqFactor();
                double highFrequencyWavelength = scaling.originalMaxPositions() / scaling.highFreqFactor();
                for (int i = 0; i < half; i++) {
                    double wavelength = 2 * Math.PI / inverse[i];
                    if (wavelength > lowFrequencyWavelength) {
                        inverse[i] /= scaling.factor();
                    } else if (wavelength >= highFrequencyWavelength) {
                        double smooth = (scaling.originalMaxPositions() / wavelength - scaling.lowFreqFactor())
                                / (scaling.highFreqFactor() - scaling.lowFreqFactor());
                        inverse[i] = (1 - smooth) * inverse[i] / scaling.factor() + smooth * inverse[i];
                    }
                }
            }
            case "factors" -> {
                for (int i = 0; i < half; i++) {
                    inverse[i] /= scaling.frequencyFactors().get(i);
                }
            }
            default -> throw new IllegalArgumentException("rope_scaling type " + scaling.type());
        }
        return inverse;
    }
}
