package headwise.engine.corpus;

/**
 * A head's attention pattern shrunk to a fixed {@link #SIZE}×{@link #SIZE} grid by relative position, so patterns of
 * prompts of different lengths can be averaged (the atlas's hover picture): cell (a, b) is the mean of the weights
 * of the queries and keys that fall in row band a and column band b. A prompt shorter than the grid repeats rows.
 */
public final class PatternThumbnail {

    public static final int SIZE = 16;

    private PatternThumbnail() {
    }

    /** @param head row-major t×t attention (rows = queries); @return SIZE·SIZE values, row-major */
    public static double[] of(float[] head, int t) {
        double[] out = new double[SIZE * SIZE];
        for (int a = 0; a < SIZE; a++) {
            int q0 = start(a, t);
            int q1 = end(a, t);
            for (int b = 0; b < SIZE; b++) {
                int k0 = start(b, t);
                int k1 = end(b, t);
                double sum = 0;
                for (int q = q0; q < q1; q++) {
                    for (int k = k0; k < k1; k++) {
                        sum += head[q * t + k];
                    }
                }
                out[a * SIZE + b] = sum / ((double) (q1 - q0) * (k1 - k0));
            }
        }
        return out;
    }

    /** The first position of band {@code band} of {@code t} positions cut into SIZE bands. */
    private static int start(int band, int t) {
        return Math.min(t - 1, band * t / SIZE);
    }

    /** One past the band's last position; at least one position a band. */
    private static int end(int band, int t) {
        return Math.max(start(band, t) + 1, (band + 1) * t / SIZE);
    }
}
