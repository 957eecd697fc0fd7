package headwise.engine.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Massive activations (Sun et al. 2024): residual-stream entries with |x| &gt; {@code absThreshold} (100) and
 * &gt; {@code ratioThreshold} (1000) × the median |x| of that layer (over all tokens and channels). Small models
 * never reach 100, so the ratio of the top-k |x| of each layer to its median is reported too.
 */
public final class MassiveActivations {

    public static final double DEFAULT_ABS_THRESHOLD = 100;
    public static final double DEFAULT_RATIO_THRESHOLD = 1000;
    public static final int DEFAULT_TOP_K = 3;

    private MassiveActivations() {
    }

    /** One massive entry: residual after layer {@code layer}, position {@code token}, channel, signed value. */
    public record Activation(int layer, int token, int channel, double value) {
    }

    /**
     * @param massive   the entries over both thresholds, sorted by |value| descending
     * @param medianAbs [layer] median |x| (mean of the two middle values for an even count)
     * @param topAbs    [layer][k] the k largest |x|, descending
     * @param topRatio  [layer][k] topAbs / medianAbs (+∞ where the median is 0)
     */
    public record Report(List<Activation> massive, double[] medianAbs, double[][] topAbs, double[][] topRatio) {
    }

    public static Report find(Residuals r) {
        return find(r, DEFAULT_ABS_THRESHOLD, DEFAULT_RATIO_THRESHOLD, DEFAULT_TOP_K);
    }

    public static Report find(Residuals r, double absThreshold, double ratioThreshold, int topK) {
        int perLayer = r.tokens() * r.width();
        float[] v = r.values();
        List<Activation> massive = new ArrayList<>();
        double[] median = new double[r.layers()];
        int k = Math.min(topK, perLayer);
        double[][] top = new double[r.layers()][k];
        double[][] ratio = new double[r.layers()][k];
        float[] abs = new float[perLayer];
        for (int l = 0; l < r.layers(); l++) {
            int base = l * perLayer;
            for (int n = 0; n < perLayer; n++) {
                abs[n] = Math.abs(v[base + n]);
            }
            Arrays.sort(abs);
            median[l] = perLayer == 0 ? 0 : (perLayer % 2 == 1 ? abs[perLayer / 2]
                    : 0.5 * ((double) abs[perLayer / 2 - 1] + abs[perLayer / 2]));
            for (int n = 0; n < k; n++) {
                top[l][n] = abs[perLayer - 1 - n];
                ratio[l][n] = top[l][n] / median[l];
            }
            for (int n = 0; n < perLayer; n++) {
                double x = v[base + n];
                if (Math.abs(x) > absThreshold && Math.abs(x) > ratioThreshold * median[l]) {
                    massive.add(new Activation(l, n / r.width(), n % r.width(), x));
                }
            }
        }
        massive.sort((a, b) -> Double.compare(Math.abs(b.value()), Math.abs(a.value())));
        return new Report(massive, median, top, ratio);
    }
}
