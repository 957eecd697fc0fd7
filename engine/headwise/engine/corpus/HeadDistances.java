package headwise.engine.corpus;

import headwise.engine.run.AttentionMaps;

/** How differently two heads attend on one input. */
public final class HeadDistances {

    private HeadDistances() {
    }

    /**
     * [n][n], n = layers·heads (index layer·heads + head): the mean over query rows of the Jensen–Shannon divergence
     * (natural log) between the two heads' attention rows, as H(m) − (H(p) + H(q))/2 with m = (p + q)/2, 0·ln 0 = 0,
     * which needs one logarithm per entry instead of two. Symmetric, 0 on the diagonal, at most ln 2. This is the
     * bulk of a corpus run's time (n²/2 · T² logarithms per prompt): causal models skip the keys after the query
     * (zero in both heads), and the logarithm is {@link FastLog}'s.
     */
    public static double[][] jensenShannon(AttentionMaps a, boolean causal) {
        int n = a.layers() * a.heads();
        int t = a.length();
        float[][] heads = new float[n][];
        double[][] rowEntropy = new double[n][t];
        for (int m = 0; m < n; m++) {
            heads[m] = a.head(m / a.heads(), m % a.heads());
            for (int i = 0; i < t; i++) {
                double s = 0;
                for (int j = 0; j < t; j++) {
                    s += xLogX(heads[m][i * t + j]);
                }
                rowEntropy[m][i] = -s;
            }
        }
        double[][] out = new double[n][n];
        for (int p = 0; p < n; p++) {
            for (int q = p + 1; q < n; q++) {
                double total = 0;
                for (int i = 0; i < t; i++) {
                    double mixed = 0;
                    int end = i * t + (causal ? i + 1 : t);
                    for (int j = i * t; j < end; j++) {
                        mixed += xLogX(0.5 * ((double) heads[p][j] + heads[q][j]));
                    }
                    // rounding can take a divergence of near-equal rows a hair below 0
                    total += Math.max(0, -mixed - 0.5 * (rowEntropy[p][i] + rowEntropy[q][i]));
                }
                out[p][q] = total / t;
                out[q][p] = out[p][q];
            }
        }
        return out;
    }

    private static double xLogX(double x) {
        return x > 0 ? x * FastLog.log(x) : 0;
    }
}
