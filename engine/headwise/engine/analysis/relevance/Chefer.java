package headwise.engine.analysis.relevance;

/**
 * Chefer et al. 2021b ("generic attention-model explainability"): R = I, per layer Ā = mean_h (∇A ⊙ A)⁺ and
 * R ← R + Ā·R; the answer is R's target row. Only that row is needed: with R = (I + Ā_L)⋯(I + Ā_1), the row is
 * e_tᵀ(I + Ā_L)⋯(I + Ā_1), computed from the left in O(L·T²).
 */
final class Chefer {

    private Chefer() {
    }

    /**
     * @param gradientTimesPattern per layer ∇A ⊙ A, [H·T·T] (head, query, key)
     * @param row                  the target row t
     */
    static double[] row(float[][] gradientTimesPattern, int heads, int length, int row) {
        double[] r = new double[length];
        r[row] = 1;
        for (int l = gradientTimesPattern.length - 1; l >= 0; l--) {
            double[] mean = positiveHeadMean(gradientTimesPattern[l], heads, length);
            double[] next = r.clone();
            for (int i = 0; i < length; i++) {
                if (r[i] != 0) {
                    for (int j = 0; j < length; j++) {
                        next[j] += r[i] * mean[i * length + j];
                    }
                }
            }
            r = next;
        }
        return r;
    }

    /** mean over heads of max(x, 0), [T·T]. */
    private static double[] positiveHeadMean(float[] values, int heads, int length) {
        int square = length * length;
        double[] mean = new double[square];
        for (int h = 0; h < heads; h++) {
            for (int k = 0; k < square; k++) {
                mean[k] += Math.max(values[h * square + k], 0f);
            }
        }
        for (int k = 0; k < square; k++) {
            mean[k] /= heads;
        }
        return mean;
    }
}
