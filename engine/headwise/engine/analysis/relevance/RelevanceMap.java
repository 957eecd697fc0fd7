package headwise.engine.analysis.relevance;

/**
 * One relevance map.
 *
 * @param method        the method's id ({@link RelevanceMethod#id})
 * @param target        what it explains
 * @param logit         the target output's value (the model's own forward)
 * @param tokens        relevance of each input token [T] (ViT: CLS, distillation token, then patches; text joined
 *                      with an image: every position of the joined sequence, the image's included)
 * @param positionShare relevance of the position embeddings, summed over tokens (0 where the model has none or the
 *                      method does not split the embedding)
 * @param typeShare     relevance of the token-type embeddings (BERT), likewise
 * @param heads         relevance through each head's output [L][H], or null (Chefer, rollout)
 */
public record RelevanceMap(String method, RelevanceTarget target, double logit, double[] tokens,
                           double positionShare, double typeShare, double[][] heads) {

    public double sum() {
        double s = 0;
        for (double r : tokens) {
            s += r;
        }
        return s;
    }

    /** False when any value overflowed (e.g. a huge logit): such a map is reported, not drawn. */
    public boolean finite() {
        if (!Double.isFinite(positionShare) || !Double.isFinite(typeShare)) {
            return false;
        }
        for (double r : tokens) {
            if (!Double.isFinite(r)) {
                return false;
            }
        }
        return true;
    }
}
