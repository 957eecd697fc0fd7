package headwise.engine.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Sink dimensions (VAR, "See What You Are Told"): with x̂ = x / sqrt(mean_c(x²) + 1e-6) per token (RMS-normalised
 * without weights), the sink dimensions D are the channels where |x̂| &gt; τ recurs: at least {@code minOccurrences}
 * (layer, token) pairs. A token is a sink at layer l when max_{c∈D} |x̂_{t,c}| &gt; τ.
 * Note max |x̂| ≤ sqrt(d), so models narrower than τ² = 400 channels never have sink dimensions at τ = 20.
 */
public final class SinkDimensions {

    public static final double DEFAULT_TAU = 20;
    public static final int DEFAULT_MIN_OCCURRENCES = 2;
    public static final double EPSILON = 1e-6;

    private SinkDimensions() {
    }

    /**
     * @param dimensions   D, ascending
     * @param occurrences  for each channel of D, the number of (layer, token) with |x̂| &gt; τ
     * @param maxNormalised [layer][token] max_c |x̂_{t,c}| over all channels (the statistic behind D)
     * @param sinkTokens   [layer][token] whether max_{c∈D} |x̂_{t,c}| &gt; τ
     */
    public record Result(double tau, int[] dimensions, int[] occurrences, double[][] maxNormalised, boolean[][] sinkTokens) {
    }

    public static Result find(Residuals r) {
        return find(r, DEFAULT_TAU, DEFAULT_MIN_OCCURRENCES);
    }

    public static Result find(Residuals r, double tau, int minOccurrences) {
        int d = r.width();
        float[] v = r.values();
        int[] count = new int[d];
        double[][] maxNormalised = new double[r.layers()][r.tokens()];
        double[] scale = new double[r.layers() * r.tokens()];
        for (int l = 0; l < r.layers(); l++) {
            for (int t = 0; t < r.tokens(); t++) {
                int base = (l * r.tokens() + t) * d;
                double sq = 0;
                for (int c = 0; c < d; c++) {
                    sq += (double) v[base + c] * v[base + c];
                }
                double s = 1.0 / Math.sqrt(sq / d + EPSILON);
                scale[l * r.tokens() + t] = s;
                double max = 0;
                for (int c = 0; c < d; c++) {
                    double x = Math.abs(v[base + c] * s);
                    max = Math.max(max, x);
                    if (x > tau) {
                        count[c]++;
                    }
                }
                maxNormalised[l][t] = max;
            }
        }
        List<Integer> dims = new ArrayList<>();
        for (int c = 0; c < d; c++) {
            if (count[c] >= minOccurrences && count[c] > 0) {
                dims.add(c);
            }
        }
        int[] dimensions = dims.stream().mapToInt(Integer::intValue).toArray();
        int[] occurrences = new int[dimensions.length];
        for (int n = 0; n < dimensions.length; n++) {
            occurrences[n] = count[dimensions[n]];
        }
        boolean[][] sink = new boolean[r.layers()][r.tokens()];
        for (int l = 0; l < r.layers(); l++) {
            for (int t = 0; t < r.tokens(); t++) {
                int base = (l * r.tokens() + t) * d;
                double s = scale[l * r.tokens() + t];
                for (int c : dimensions) {
                    if (Math.abs(v[base + c] * s) > tau) {
                        sink[l][t] = true;
                        break;
                    }
                }
            }
        }
        return new Result(tau, dimensions, occurrences, maxNormalised, sink);
    }
}
