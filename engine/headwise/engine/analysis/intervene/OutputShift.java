package headwise.engine.analysis.intervene;

/**
 * How an intervention moved the model's output distribution at one output row.
 *
 * @param position    the output row compared (LMs: the last position by default; classifiers: 0)
 * @param original    softmax of the clean output row
 * @param shifted     softmax of the output row with the intervention
 * @param kl          KL(original ‖ shifted), natural log
 * @param originalTop argmax of {@code original}
 * @param shiftedTop  argmax of {@code shifted}
 */
public record OutputShift(int position, double[] original, double[] shifted, double kl, int originalTop, int shiftedTop) {

    /** The shift between two rows of logits (float32, as the model gives them), computed in double. */
    public static OutputShift between(int position, float[] cleanLogits, float[] shiftedLogits) {
        double[] logP = logSoftmax(cleanLogits);
        double[] logQ = logSoftmax(shiftedLogits);
        double[] p = new double[logP.length];
        double[] q = new double[logQ.length];
        double kl = 0;
        for (int v = 0; v < p.length; v++) {
            p[v] = Math.exp(logP[v]);
            q[v] = Math.exp(logQ[v]);
            if (p[v] > 0) {
                kl += p[v] * (logP[v] - logQ[v]);
            }
        }
        return new OutputShift(position, p, q, Math.max(0, kl), argmax(p), argmax(q));
    }

    static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double logZ = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - logZ;
        }
        return out;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
