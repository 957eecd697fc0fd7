package headwise.engine.corpus;

import java.util.Arrays;

/** Summary of values over prompts: mean, population standard deviation (ddof 0) and percentiles. */
record Distribution(double mean, double std, double p10, double p50, double p90) {

    /** Of the finite values in {@code values}; all NaN when none is. */
    static Distribution of(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return new Distribution(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double squares = 0;
        for (double x : v) {
            squares += (x - mean) * (x - mean);
        }
        return new Distribution(mean, Math.sqrt(squares / v.length), percentile(v, 10), percentile(v, 50), percentile(v, 90));
    }

    /** NumPy's default (linear) percentile of sorted values: interpolates at rank p/100·(n−1). */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
