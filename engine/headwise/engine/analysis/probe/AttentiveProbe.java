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

    /** One example's attention [M][T] and attention-weighted states [M][d]. */
    private record Attended(double[][] attention, double[][] pooled) {
    }

    private Attended attend(double[] p, double[][] x) {
        int tokens = x.length;
        double[][] attention = new double[queries][tokens];
        double[][] pooled = new double[queries][width];
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
        }
        return new Attended(attention, pooled);
    }

    /**
     * U[m][k][c] = Σ_j Wv[k][m·r + j] · Wc[c][m·r + j]: query m's value slice and the classifier folded into one d×K
     * map. The logits are b + Σ_m U_mᵀ·pooled_m, the same function as projecting to values first, but d·K work per
     * query and example instead of d·r (the value matrix is d×d; K is a handful of classes).
     */
    private double[][][] folded(double[] p) {
        int wv = valueMatrix();
        int wc = classifierWeights();
        double[][][] u = new double[queries][width][classes];
        for (int m = 0; m < queries; m++) {
            for (int k = 0; k < width; k++) {
                int row = wv + k * concat + m * valueWidth;
                for (int c = 0; c < classes; c++) {
                    int column = wc + c * concat + m * valueWidth;
                    double sum = 0;
                    for (int j = 0; j < valueWidth; j++) {
                        sum += p[row + j] * p[column + j];
                    }
                    u[m][k][c] = sum;
                }
            }
        }
        return u;
    }

    private double[] logits(double[] p, double[][][] u, double[][] pooled) {
        double[] z = new double[classes];
        for (int c = 0; c < classes; c++) {
            double sum = p[classifierBiases() + c];
            for (int m = 0; m < queries; m++) {
                for (int k = 0; k < width; k++) {
                    sum += u[m][k][c] * pooled[m][k];
                }
            }
            z[c] = sum;
        }
        return z;
    }

    /** The K logits of each example xs[i] [T_i][d]. */
    double[][] logits(double[] p, double[][][] xs) {
        double[][][] u = folded(p);
        double[][] out = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            out[i] = logits(p, u, attend(p, xs[i]).pooled());
        }
        return out;
    }

    /** Each query's attention over the tokens of one example: [M][T], rows summing to 1. */
    double[][] attention(double[] p, double[][] x) {
        return attend(p, x).attention();
    }

    /** The mean cross-entropy over the examples, without the gradient. */
    double loss(double[] p, double[][][] xs, int[] labels) {
        double[][] z = logits(p, xs);
        double loss = 0;
        for (int i = 0; i < xs.length; i++) {
            loss += logSumExp(z[i]) - z[i][labels[i]];
        }
        return loss / xs.length;
    }

    /**
     * The mean cross-entropy over the examples xs[i] [T_i][d] with classes labels[i]; its gradient into
     * {@code gradient}. Through the folded maps: with G_m = Σ_i pooled_{m,i}·dz_iᵀ (d×K), the value slice's gradient
     * is G_m·Wc_m and the classifier's G_mᵀ·Wv_m, each once per call rather than per example.
     */
    double lossAndGradient(double[] p, double[][][] xs, int[] labels, double[] gradient) {
        java.util.Arrays.fill(gradient, 0);
        int n = xs.length;
        int bc = classifierBiases();
        double[][][] u = folded(p);
        double[][][] g = new double[queries][width][classes];
        double loss = 0;
        double[] dz = new double[classes];
        double[] dPooled = new double[width];
        for (int i = 0; i < n; i++) {
            double[][] x = xs[i];
            Attended f = attend(p, x);
            double[] z = logits(p, u, f.pooled());
            double logSum = logSumExp(z);
            loss += logSum - z[labels[i]];
            for (int c = 0; c < classes; c++) {
                dz[c] = (Math.exp(z[c] - logSum) - (labels[i] == c ? 1 : 0)) / n;
                gradient[bc + c] += dz[c];
            }
            for (int m = 0; m < queries; m++) {
                double[] pool = f.pooled()[m];
                for (int k = 0; k < width; k++) {
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        g[m][k][c] += pool[k] * dz[c];
                        sum += u[m][k][c] * dz[c];
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
        int wv = valueMatrix();
        int wc = classifierWeights();
        for (int m = 0; m < queries; m++) {
            for (int j = 0; j < valueWidth; j++) {
                int u0 = m * valueWidth + j;
                for (int k = 0; k < width; k++) {
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        sum += g[m][k][c] * p[wc + c * concat + u0];
                    }
                    gradient[wv + k * concat + u0] = sum;
                }
                for (int c = 0; c < classes; c++) {
                    double sum = 0;
                    for (int k = 0; k < width; k++) {
                        sum += g[m][k][c] * p[wv + k * concat + u0];
                    }
                    gradient[wc + c * concat + u0] = sum;
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
