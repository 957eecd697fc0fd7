package headwise.engine.analysis.relevance;

/**
 * The Salient Relevance map (Li et al. 2017, "Beyond saliency"): Goferman et al.'s context-aware saliency computed on
 * a relevance map instead of an image's colours, so that regions whose relevance stands out from their context
 * light up rather than isolated patches. Defined on the ViT patch grid (docs/relevance.md, "Salient Relevance map",
 * gives every step and constant); values in [0, 1].
 */
public final class SalientRelevance {

    /** Neighbourhood radii of the multi-scale features (1×1, 3×3 and 5×5 windows of patches). */
    static final int[] RADII = {0, 1, 2};
    /** Goferman's weight of position in the dissimilarity. */
    static final double POSITION_WEIGHT = 3;
    /** How many most similar patches a patch is compared with. */
    static final int NEIGHBOURS = 64;
    /** Patches at least this salient (of the largest) are the foci of attention. */
    static final double FOCUS = 0.8;

    private SalientRelevance() {
    }

    /**
     * @param tokens  a map's relevance per token [special + rows·cols] (ViT: CLS/distillation tokens then patches)
     * @param special how many leading tokens are not patches
     * @return the Salient Relevance map, one value per patch, row-major [rows·cols]
     */
    public static double[] of(double[] tokens, int special, int rows, int cols) {
        if (tokens.length != special + rows * cols) {
            throw new IllegalArgumentException(tokens.length + " tokens are not " + special + " + a " + rows + "×" + cols + " grid");
        }
        double[] patches = new double[rows * cols];
        System.arraycopy(tokens, special, patches, 0, patches.length);
        return map(patches, rows, cols, RADII);
    }

    /** The map of a patch grid's relevance under the given feature radii. */
    static double[] map(double[] relevance, int rows, int cols, int[] radii) {
        int n = rows * cols;
        double largest = 0;
        for (double r : relevance) {
            largest = Math.max(largest, Math.abs(r));
        }
        double[] saliency = new double[n];
        if (largest == 0 || n < 2) {
            return saliency;
        }
        double[] normalised = new double[n];
        for (int i = 0; i < n; i++) {
            normalised[i] = relevance[i] / largest;
        }
        for (int radius : radii) {
            double[] s = singleScale(features(normalised, rows, cols, radius), rows, cols, 2.0 * (2 * radius + 1));
            for (int i = 0; i < n; i++) {
                saliency[i] += s[i] / radii.length;
            }
        }
        double top = 0;
        for (double s : saliency) {
            top = Math.max(top, s);
        }
        if (top == 0) {
            return saliency;
        }
        for (int i = 0; i < n; i++) {
            saliency[i] /= top;
        }
        return withImmediateContext(saliency, rows, cols);
    }

    /** Each patch's window of (2·radius + 1)² values, edge patches repeated beyond the grid. */
    private static double[][] features(double[] values, int rows, int cols, int radius) {
        int side = 2 * radius + 1;
        double[][] out = new double[rows * cols][side * side];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int k = 0;
                for (int dr = -radius; dr <= radius; dr++) {
                    for (int dc = -radius; dc <= radius; dc++) {
                        int rr = Math.min(rows - 1, Math.max(0, r + dr));
                        int cc = Math.min(cols - 1, Math.max(0, c + dc));
                        out[r * cols + c][k++] = values[rr * cols + cc];
                    }
                }
            }
        }
        return out;
    }

    /** S_i = 1 − exp(−mean of the K smallest d(i, j)), d = d_value / (1 + c·d_position). */
    private static double[] singleScale(double[][] features, int rows, int cols, double valueScale) {
        int n = features.length;
        int k = Math.min(NEIGHBOURS, n - 1);
        double size = Math.max(rows, cols);
        double[] out = new double[n];
        double[] d = new double[n - 1];
        for (int i = 0; i < n; i++) {
            int m = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    double position = Math.hypot(i / cols - j / cols, i % cols - j % cols) / size;
                    d[m++] = distance(features[i], features[j]) / valueScale / (1 + POSITION_WEIGHT * position);
                }
            }
            java.util.Arrays.sort(d);
            double sum = 0;
            for (int q = 0; q < k; q++) {
                sum += d[q];
            }
            out[i] = 1 - Math.exp(-sum / k);
        }
        return out;
    }

    /** Ŝ_i = S̄_i · (1 − d_foci(i)), d_foci the distance to the nearest focus over the grid's diagonal. */
    private static double[] withImmediateContext(double[] saliency, int rows, int cols) {
        int n = saliency.length;
        double diagonal = Math.max(1, Math.hypot(rows - 1, cols - 1));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double nearest = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (saliency[j] >= FOCUS) {
                    nearest = Math.min(nearest, Math.hypot(i / cols - j / cols, i % cols - j % cols));
                }
            }
            out[i] = saliency[i] * (1 - Math.min(1, nearest / diagonal));
        }
        return out;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
