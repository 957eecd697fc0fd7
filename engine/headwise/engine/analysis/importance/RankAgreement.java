package headwise.engine.analysis.importance;

import java.util.Arrays;
import java.util.List;

/**
 * How far head-importance measures agree (METHODS.md: show them side by side with their rank agreement):
 * Spearman's ρ between two [layer][head] score matrices, i.e. Pearson's correlation of their ranks, with tied
 * values given the average of the ranks they span.
 */
public final class RankAgreement {

    /** A measure's name and its scores [layer][head]. */
    public record NamedScores(String name, double[][] scores) {
    }

    /** Pairwise Spearman ρ of {@code measures}, in their order; the diagonal is 1 (NaN for a constant measure). */
    public record Matrix(List<String> names, double[][] rho) {
    }

    private RankAgreement() {
    }

    /**
     * Spearman's ρ between two score matrices of the same shape (flattened; a head is a pair (layer, head)).
     * NaN when either is constant (ranks without spread) or has fewer than 2 entries. NaN scores are not allowed.
     */
    public static double spearman(double[][] a, double[][] b) {
        return spearman(flatten(a), flatten(b));
    }

    public static double spearman(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("score counts differ: " + a.length + " and " + b.length);
        }
        return pearson(ranks(a), ranks(b));
    }

    public static Matrix matrix(List<NamedScores> measures) {
        int n = measures.size();
        double[][] ranks = new double[n][];
        for (int i = 0; i < n; i++) {
            ranks[i] = ranks(flatten(measures.get(i).scores()));
        }
        double[][] rho = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                if (ranks[i].length != ranks[j].length) {
                    throw new IllegalArgumentException(measures.get(i).name() + " and " + measures.get(j).name()
                            + " score different numbers of heads");
                }
                rho[i][j] = rho[j][i] = pearson(ranks[i], ranks[j]);
            }
        }
        return new Matrix(measures.stream().map(NamedScores::name).toList(), rho);
    }

    /** 1-based ranks, ascending; ties get the mean of the ranks they occupy. */
    public static double[] ranks(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
        double[] ranks = new double[n];
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) {
                end++;
            }
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) {
                ranks[order[k]] = average;
            }
            start = end + 1;
        }
        return ranks;
    }

    private static double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    static double[] flatten(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }
}
