package headwise.engine.corpus;

import java.util.Map;

/**
 * A coarse type for each head from its (mean) corpus metrics, to colour the atlas: the first rule that holds, most
 * specific first. The thresholds are rules of thumb (TransformerLens-style detection scores are fractions of
 * attention on the pattern), not calibrated: a head under every threshold is "other".
 */
public final class HeadRoles {

    /** A head's type, with the metric and threshold that decide it (null for the fallbacks). */
    public enum Role {
        INDUCTION("induction", "induction", 0.4),
        DUPLICATE("duplicate token", "duplicate_token", 0.4),
        PREVIOUS("previous token", "prev_token", 0.5),
        SINK("first-token sink", "first_token_sink", 0.5),
        BROAD("broad", "entropy_normalised", 0.85),
        OTHER("other", null, 0);

        private final String label;
        private final String metric;
        private final double threshold;

        Role(String label, String metric, double threshold) {
            this.label = label;
            this.metric = metric;
            this.threshold = threshold;
        }

        public String label() {
            return label;
        }

        /** "induction ≥ 0.4", for the legend. */
        public String rule() {
            return metric == null ? "none of the above" : metric + " \u2265 " + threshold;
        }
    }

    private HeadRoles() {
    }

    /** @param metrics metric name → [layer][head] (a corpus's means, or one prompt's values) */
    public static Role[][] classify(Map<String, double[][]> metrics, int layers, int heads) {
        Role[][] out = new Role[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                out[l][h] = Role.OTHER;
                for (Role r : Role.values()) {
                    double[][] values = r.metric == null ? null : metrics.get(r.metric);
                    if (values != null && values[l][h] >= r.threshold) { // NaN (does not apply) never holds
                        out[l][h] = r;
                        break;
                    }
                }
            }
        }
        return out;
    }
}
