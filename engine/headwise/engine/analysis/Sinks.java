package headwise.engine.analysis;

import headwise.engine.run.AttentionMaps;

import java.util.ArrayList;
import java.util.List;

/** Attention sinks (METHODS.md): sink scores, sink rate, hidden sinks, attention mass on the first token. */
public final class Sinks {

    /** Gu et al.'s ε for the sink rate. */
    public static final double DEFAULT_EPSILON = 0.3;
    /** ACT's α for hidden sinks. */
    public static final double DEFAULT_ALPHA = 0.1;

    private Sinks() {
    }

    /** A key j &gt; 0 whose sink score in one head exceeds α. */
    public record HiddenSink(int layer, int head, int token, double score) {
    }

    /**
     * Sink score of every key in every head, [layer][head][T]: causal (1/(T−j)) Σ_{i≥j} A_ij (mean over the queries
     * that can see j); bidirectional (1/T) Σ_i A_ij.
     */
    public static double[][][] scores(AttentionMaps a, boolean causal) {
        int t = a.length();
        double[][][] out = new double[a.layers()][a.heads()][t];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                float[] v = a.head(l, h); // copy: the maps may be stored as halves
                int base = 0;
                double[] s = out[l][h];
                for (int i = 0; i < t; i++) {
                    for (int j = 0, end = causal ? i + 1 : t; j < end; j++) {
                        s[j] += v[base + i * t + j];
                    }
                }
                for (int j = 0; j < t; j++) {
                    s[j] /= causal ? (t - j) : t;
                }
            }
        }
        return out;
    }

    /** Sink rate per key, [T]: 100 · fraction of (layer, head) with sink score &gt; ε. */
    public static double[] rate(double[][][] scores, double epsilon) {
        int t = scores.length == 0 ? 0 : scores[0][0].length;
        double[] out = new double[t];
        int count = 0;
        for (double[][] layer : scores) {
            for (double[] head : layer) {
                count++;
                for (int j = 0; j < t; j++) {
                    if (head[j] > epsilon) {
                        out[j]++;
                    }
                }
            }
        }
        for (int j = 0; j < t; j++) {
            out[j] = count == 0 ? 0 : 100.0 * out[j] / count;
        }
        return out;
    }

    /** ACT's hidden sinks: every (layer, head, key j &gt; 0) with sink score &gt; α, in layer, head, key order. */
    public static List<HiddenSink> hidden(double[][][] scores, double alpha) {
        List<HiddenSink> out = new ArrayList<>();
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                for (int j = 1; j < scores[l][h].length; j++) {
                    if (scores[l][h][j] > alpha) {
                        out.add(new HiddenSink(l, h, j, scores[l][h][j]));
                    }
                }
            }
        }
        return out;
    }

    /** Per layer, mean over heads and queries of the attention on the first token A_i0: [layer]. */
    public static double[] firstTokenMass(AttentionMaps a) {
        int t = a.length();
        double[] out = new double[a.layers()];
        for (int l = 0; l < a.layers(); l++) {
            double s = 0;
            for (int h = 0; h < a.heads(); h++) {
                float[] v = a.head(l, h); // copy: the maps may be stored as halves
                int base = 0;
                for (int i = 0; i < t; i++) {
                    s += v[base + i * t];
                }
            }
            out[l] = s / ((double) a.heads() * t);
        }
        return out;
    }
}
