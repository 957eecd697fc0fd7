package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;

/**
 * What a probing run reads and how it splits and fits.
 *
 * @param site    the block's hook that is probed
 * @param pooling which token(s) of it
 * @param seed    seed of the stratified split, when the file gives none
 * @param headMap also fit one probe per head on hook_z (the L×H accuracy map)
 * @param c       inverse regularisation strength C of the logistic regression (1 by default)
 * @param noise   standard deviation σ of Gaussian noise added to the embedding output (hook_embed) of every
 *                example, seeded by {@code seed} and the example's index; 0 for none. {@link LayerProbing#run} probes
 *                without noise and, when σ > 0, once more with it (the robustness curve)
 * @param attentiveQueries M, the queries of an attentive probe per block beside the linear one; 0 for none
 * @param attentionExample the example (0-based index in the file) whose attention the attentive probes return; −1 for
 *                         the first test example
 */
public record ProbeSettings(ProbeSite site, Pooling pooling, long seed, boolean headMap, double c, double noise,
                            int attentiveQueries, int attentionExample) implements java.io.Serializable {

    public ProbeSettings {
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new HeadwiseException("--noise: the noise's standard deviation must be 0 or more, is " + noise);
        }
        if (attentiveQueries < 0) {
            throw new HeadwiseException("--queries: the attentive probe's queries must be 1 or more, is " + attentiveQueries);
        }
    }

    public static final long DEFAULT_SEED = 0;
    public static final int DEFAULT_QUERIES = AttentiveTraining.Settings.DEFAULT_QUERIES;

    public static ProbeSettings defaults() {
        return new ProbeSettings(ProbeSite.RESID_POST, Pooling.LAST, DEFAULT_SEED, true, 1.0, 0, 0, -1);
    }

    public ProbeSettings withSite(ProbeSite other) {
        return new ProbeSettings(other, pooling, seed, headMap, c, noise, attentiveQueries, attentionExample);
    }

    public ProbeSettings withPooling(Pooling other) {
        return new ProbeSettings(site, other, seed, headMap, c, noise, attentiveQueries, attentionExample);
    }

    public ProbeSettings withSeed(long other) {
        return new ProbeSettings(site, pooling, other, headMap, c, noise, attentiveQueries, attentionExample);
    }

    public ProbeSettings withHeadMap(boolean other) {
        return new ProbeSettings(site, pooling, seed, other, c, noise, attentiveQueries, attentionExample);
    }

    public ProbeSettings withNoise(double sigma) {
        return new ProbeSettings(site, pooling, seed, headMap, c, sigma, attentiveQueries, attentionExample);
    }

    public ProbeSettings withAttentive(int queries) {
        return new ProbeSettings(site, pooling, seed, headMap, c, noise, queries, attentionExample);
    }

    public ProbeSettings withAttentionExample(int example) {
        return new ProbeSettings(site, pooling, seed, headMap, c, noise, attentiveQueries, example);
    }
}
