package headwise.engine.analysis.probe;

import java.util.Random;

/**
 * The attentive probe's model ("efficient probing"): M learned queries q_m attend over all token states x_t of an
 * example (logits q_m·x_t, no key projection; softmax over the tokens), each query's attention-weighted state is
 * projected by its own d×r slice of the value matrix (r = d/M, at least 1), the M outputs are concatenated (M·r) and
 * a linear classifier gives K logits. Loss: the mean softmax cross-entropy. Forward and gradient are written out here
 * in double (checked against finite differences and a float64 PyTorch implementation).
 *
 * <p>The parameters are one flat vector (so one Adam updates them all): queries [M][d], then the value matrix
 * [d][M·r] (y = x·W, query m using columns m·r…(m+1)·r), then the classifier weights [K][M·r], then its biases [K].
 */
final class AttentiveProbe {

    final int width;
    final int queries;
    final int valueWidth;
    final int classes;
    private final int concat;

    /**
     * @param width   d, the width of a token state
     * @param queries M, the learned queries
     * @param classes K ≥ 2
     */
    AttentiveProbe(int width, int queries, int classes) {
        if (queries < 1) {
            throw new IllegalArgumentException("an attentive probe needs at least one query, got " + queries);
        }
        this.width = width;
        this.queries = queries;
        this.valueWidth = Math.max(1, width / queries);
        this.classes = classes;
        this.concat = queries * valueWidth;
    }

    int parameterCount() {
        return classifierBiases() + classes;
    }

    private int valueMatrix() {
        return queries * width;
    }

    private int classifierWeights() {
        return valueMatrix() + width * concat;
    }

    private int classifierBiases() {
        return classifierWeights() + classes * concat;
    }

    /**
     * Seeded start: every weight uniform in ±1/√fan-in (PyTorch's nn.Linear rule; the queries' fan-in is d), the
     * classifier's biases 0. At this start the attention is nearly uniform, i.e. close to mean pooling.
     */
    double[] initial(Random random) {
        double[] p = new double[parameterCount()];
        double inBound = 1 / Math.sqrt(width);
        for (int i = 0; i < classifierWeights(); i++) {
            p[i] = inBound * (2 * random.nextDouble() - 1);
        }
        double concatBound = 1 / Math.sqrt(concat);
        for (int i = classifierWeights(); i < classifierBiases(); i++) {
            p[i] = concatBound * (2 * random.nextDouble() - 1);
        }
        return p;
    }

    /** One example's forward: attention [M][T], pooled states [M][d], concatenated values [M·r], logits [K]. */
    private record Forward(double[][] attention, double[][] pooled, double[] values, double[] logits) {
    }

    private Forward forward(double[] p, double[][] x) {
        int tokens = x.length;
        double[][] attention = new double[queries][tokens];
        double[][] pooled = new double[queries][width];
        double[] values = new double[concat];
        int wv = valueMatrix();
        for (int m = 0; m < queries; m++) {
            double[] a = attention[m];
            for (int t = 0; t < tokens; t++) {
                double s = 0;
                for (int k = 0; k < width; k++) {
                    s += p[m * width + k] * x[t][k];
                }
                a[t] = s;
            }
            softmaxInPlace(a);
            double[] pool = pooled[m];
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < width; k++) {
                    pool[k] += a[t] * x[t][k];
                }
            }
            for (int k = 0; k < width; k++) {
                int row = wv + k * concat + m * valueWidth;
                for (int j = 0; j < valueWidth; j++) {
                    values[m * valueWidth + j] += pool[k] * p[row + j];
                }
            }
        }
        double[] logits = new double[classes];
        for (int c = 0; c < classes; c++) {
            double z = p[classifierBiases() + c];
            int row = classifierWeights() + c * concat;
            for (int u = 0; u < concat; u++) {
                z += p[row + u] * values[u];
            }
            logits[c] = z;
        }
        return new Forward(attention, pooled, values, logits);
    }

    /** The K logits of one example x [T][d]. */
    double[] logits(double[] p, double[][] x) {
        return forward(p, x).logits();
    }

    /** Each query's attention over the tokens of one example: [M][T], rows summing to 1. */
    double[][] attention(double[] p, double[][] x) {
        return forward(p, x).attention();
    }

    /** The mean cross-entropy over the examples, without the gradient. */
    double loss(double[] p, double[][][] xs, int[] labels) {
        double loss = 0;
        for (int i = 0; i < xs.length; i++) {
            double[] z = logits(p, xs[i]);
            loss += logSumExp(z) - z[labels[i]];
        }
        return loss / xs.length;
    }

    /** The mean cross-entropy over the examples xs[i] [T_i][d] with classes labels[i]; its gradient into {@code gradient}. */
    double lossAndGradient(double[] p, double[][][] xs, int[] labels, double[] gradient) {
        java.util.Arrays.fill(gradient, 0);
        int n = xs.length;
        int wv = valueMatrix();
        int wc = classifierWeights();
        int bc = classifierBiases();
        double loss = 0;
        double[] dValues = new double[concat];
        double[] dPooled = new double[width];
        for (int i = 0; i < n; i++) {
            double[][] x = xs[i];
            Forward f = forward(p, x);
            double logSum = logSumExp(f.logits());
            loss += logSum - f.logits()[labels[i]];
            java.util.Arrays.fill(dValues, 0);
            for (int c = 0; c < classes; c++) {
                double dz = (Math.exp(f.logits()[c] - logSum) - (labels[i] == c ? 1 : 0)) / n;
                gradient[bc + c] += dz;
                int row = wc + c * concat;
                for (int u = 0; u < concat; u++) {
                    gradient[row + u] += dz * f.values()[u];
                    dValues[u] += dz * p[row + u];
                }
            }
            for (int m = 0; m < queries; m++) {
                double[] pool = f.pooled()[m];
                for (int k = 0; k < width; k++) {
                    int row = wv + k * concat + m * valueWidth;
                    double sum = 0;
                    for (int j = 0; j < valueWidth; j++) {
                        double dv = dValues[m * valueWidth + j];
                        gradient[row + j] += pool[k] * dv;
                        sum += p[row + j] * dv;
                    }
                    dPooled[k] = sum;
                }
                // pooled = Σ_t a_t x_t; a = softmax(s): ds_t = a_t (da_t − Σ_u a_u da_u), ∂s_t/∂q = x_t
                double[] a = f.attention()[m];
                double[] da = new double[x.length];
                double weighted = 0;
                for (int t = 0; t < x.length; t++) {
                    double s = 0;
                    for (int k = 0; k < width; k++) {
                        s += dPooled[k] * x[t][k];
                    }
                    da[t] = s;
                    weighted += a[t] * s;
                }
                for (int t = 0; t < x.length; t++) {
                    double ds = a[t] * (da[t] - weighted);
                    for (int k = 0; k < width; k++) {
                        gradient[m * width + k] += ds * x[t][k];
                    }
                }
            }
        }
        return loss / n;
    }

    /** The predicted class: the first of largest logit. */
    static int predict(double[] logits) {
        int best = 0;
        for (int k = 1; k < logits.length; k++) {
            if (logits[k] > logits[best]) {
                best = k;
            }
        }
        return best;
    }

    static double logSumExp(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    static void softmaxInPlace(double[] z) {
        double logSum = logSumExp(z);
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.exp(z[i] - logSum);
        }
    }
}
