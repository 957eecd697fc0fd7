package headwise.app.ui.head;

import headwise.engine.hooks.HookNames;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.HookValues;
import headwise.engine.run.ModelInput;

import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One head's query and key vectors (hook_q, hook_k: after RoPE, before the dot product) projected on their first
 * two principal components, fitted on queries and keys together, so a query lands near the keys it matches.
 *
 * @param queries   [T][2] projected queries
 * @param keys      [T][2] projected keys
 * @param explained fraction of the variance each component explains
 */
public record QkProjection(int layer, int head, double[][] queries, double[][] keys, double[] explained) {

    /** Runs {@code input} once, copying the head's q and k at the hooks (the run itself is unchanged). */
    public static QkProjection capture(LoadedModel model, ModelInput input, int layer, int head) {
        Map<String, HookValues.Value> values = HookValues.capture(model, input, Set.of(HookNames.q(layer), HookNames.k(layer)));
        int group = model.spec().heads() / model.spec().kvHeads();
        return of(layer, head, rows(values.get(HookNames.q(layer)), head),
                rows(values.get(HookNames.k(layer)), head / group)); // grouped-query attention: the key head this head reads
    }

    /** [batch, pos, head, d_head] → the first sequence's [pos][d_head] of one head. */
    static float[][] rows(HookValues.Value x, int head) {
        int t = x.shape()[1];
        int heads = x.shape()[2];
        int d = x.shape()[3];
        float[][] out = new float[t][d];
        for (int i = 0; i < t; i++) {
            System.arraycopy(x.values(), (i * heads + head) * d, out[i], 0, d);
        }
        return out;
    }

    /** The projection of given vectors (rows of equal width). */
    public static QkProjection of(int layer, int head, float[][] q, float[][] k) {
        int d = q[0].length;
        int n = q.length + k.length;
        double[] mean = new double[d];
        for (float[][] set : new float[][][] {q, k}) {
            for (float[] row : set) {
                for (int c = 0; c < d; c++) {
                    mean[c] += row[c] / n;
                }
            }
        }
        double[][] cov = new double[d][d];
        for (float[][] set : new float[][][] {q, k}) {
            for (float[] row : set) {
                for (int a = 0; a < d; a++) {
                    double xa = row[a] - mean[a];
                    for (int b = 0; b < d; b++) {
                        cov[a][b] += xa * (row[b] - mean[b]);
                    }
                }
            }
        }
        double trace = 0;
        for (int a = 0; a < d; a++) {
            trace += cov[a][a];
        }
        double[][] axes = new double[2][];
        double[] explained = new double[2];
        for (int c = 0; c < 2; c++) {
            axes[c] = leadingEigenvector(cov, c == 0 ? null : axes[0]);
            explained[c] = trace > 0 ? rayleigh(cov, axes[c]) / trace : 0;
        }
        return new QkProjection(layer, head, project(q, mean, axes), project(k, mean, axes), explained);
    }

    /** Power iteration (deterministic start), orthogonal to {@code against} when given. */
    static double[] leadingEigenvector(double[][] m, double[] against) {
        int d = m.length;
        Random random = new Random(7);
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = random.nextGaussian();
        }
        for (int iteration = 0; iteration < 300; iteration++) {
            if (against != null) {
                double dot = dot(v, against);
                for (int i = 0; i < d; i++) {
                    v[i] -= dot * against[i];
                }
            }
            normalise(v);
            double[] next = new double[d];
            for (int a = 0; a < d; a++) {
                double s = 0;
                for (int b = 0; b < d; b++) {
                    s += m[a][b] * v[b];
                }
                next[a] = s;
            }
            v = next;
        }
        if (against != null) {
            double dot = dot(v, against);
            for (int i = 0; i < d; i++) {
                v[i] -= dot * against[i];
            }
        }
        normalise(v);
        return v;
    }

    private static double rayleigh(double[][] m, double[] v) {
        double s = 0;
        for (int a = 0; a < v.length; a++) {
            for (int b = 0; b < v.length; b++) {
                s += v[a] * m[a][b] * v[b];
            }
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void normalise(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= norm;
            }
        }
    }

    private static double[][] project(float[][] rows, double[] mean, double[][] axes) {
        double[][] out = new double[rows.length][2];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < 2; c++) {
                double s = 0;
                for (int j = 0; j < mean.length; j++) {
                    s += (rows[i][j] - mean[j]) * axes[c][j];
                }
                out[i][c] = s;
            }
        }
        return out;
    }
}
