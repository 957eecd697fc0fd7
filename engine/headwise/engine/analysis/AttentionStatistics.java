package headwise.engine.analysis;

import headwise.engine.run.AttentionMaps;

/**
 * Per-head statistics of softmax attention (METHODS.md). Every "mean over queries" is over all T rows, natural log.
 * Results are [layer][head].
 */
public final class AttentionStatistics {

    private AttentionStatistics() {
    }

    /** Mean over queries of −Σ_j A_ij ln A_ij (0·ln 0 = 0). */
    public static double[][] entropy(AttentionMaps a) {
        return perHead(a, (v, base, t) -> {
            double total = 0;
            for (int i = 0; i < t; i++) {
                double h = 0;
                for (int j = 0; j < t; j++) {
                    double p = v[base + i * t + j];
                    if (p > 0) {
                        h -= p * Math.log(p);
                    }
                }
                total += h;
            }
            return total / t;
        });
    }

    /**
     * Entropy divided by ln(number of keys the query may see): i+1 for causal models, T for bidirectional ones.
     * Rows with a single visible key count as 0.
     */
    public static double[][] normalisedEntropy(AttentionMaps a, boolean causal) {
        return perHead(a, (v, base, t) -> {
            double total = 0;
            for (int i = 0; i < t; i++) {
                int keys = causal ? i + 1 : t;
                if (keys < 2) {
                    continue;
                }
                double h = 0;
                for (int j = 0; j < t; j++) {
                    double p = v[base + i * t + j];
                    if (p > 0) {
                        h -= p * Math.log(p);
                    }
                }
                total += h / Math.log(keys);
            }
            return total / t;
        });
    }

    /** Voita et al.'s confidence: mean over queries of max_j A_ij (no token excluded). */
    public static double[][] confidence(AttentionMaps a) {
        return perHead(a, (v, base, t) -> {
            double total = 0;
            for (int i = 0; i < t; i++) {
                double max = 0;
                for (int j = 0; j < t; j++) {
                    max = Math.max(max, v[base + i * t + j]);
                }
                total += max;
            }
            return total / t;
        });
    }

    /** Σ_i A_{i,i−1} / Σ_ij A_ij (nothing excluded). */
    public static double[][] previousToken(AttentionMaps a) {
        return perHead(a, (v, base, t) -> {
            double previous = 0;
            double total = 0;
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    total += v[base + i * t + j];
                }
                if (i > 0) {
                    previous += v[base + i * t + i - 1];
                }
            }
            return total == 0 ? 0 : previous / total;
        });
    }

    /** Mean over queries of Σ_j A_ij |i − j|, in token positions. */
    public static double[][] meanDistance(AttentionMaps a) {
        return perHead(a, (v, base, t) -> {
            double total = 0;
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    total += (double) v[base + i * t + j] * Math.abs(i - j);
                }
            }
            return total / t;
        });
    }

    /** Mean over heads of A^{l,h}: [layer][T·T] row-major (accumulated in double, stored as float). */
    public static float[][] headAverages(AttentionMaps a) {
        int t = a.length();
        int tt = t * t;
        float[][] out = new float[a.layers()][tt];
        double[] sum = new double[tt];
        for (int l = 0; l < a.layers(); l++) {
            java.util.Arrays.fill(sum, 0);
            for (int h = 0; h < a.heads(); h++) {
                float[] v = a.head(l, h); // copy: the maps may be stored as halves
                int base = 0;
                for (int k = 0; k < tt; k++) {
                    sum[k] += v[base + k];
                }
            }
            for (int k = 0; k < tt; k++) {
                out[l][k] = (float) (sum[k] / a.heads());
            }
        }
        return out;
    }

    /** Mean over heads of a [layer][head] table: [layer]. */
    public static double[] layerMeans(double[][] perHead) {
        double[] out = new double[perHead.length];
        for (int l = 0; l < perHead.length; l++) {
            double s = 0;
            for (double x : perHead[l]) {
                s += x;
            }
            out[l] = perHead[l].length == 0 ? 0 : s / perHead[l].length;
        }
        return out;
    }

    @FunctionalInterface
    interface HeadFunction {
        /** @param base offset of the head's T×T matrix in {@code values} */
        double apply(float[] values, int base, int length);
    }

    static double[][] perHead(AttentionMaps a, HeadFunction f) {
        int t = a.length();
        double[][] out = new double[a.layers()][a.heads()];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                out[l][h] = f.apply(a.head(l, h), 0, t);
            }
        }
        return out;
    }
}
