package headwise.engine.analysis.importance;

/**
 * Gradient head importance (Michel et al. 2019): with a gate ξ_h = 1 multiplying each head's {@code hook_z},
 * I_h = |∂L/∂ξ_h| = |Σ_t ⟨z_{h,t}, ∂L/∂z_{h,t}⟩|.
 *
 * @param objective   what L is, in words
 * @param loss        L at ξ = 1
 * @param gradient    signed ∂L/∂ξ [layer][head]
 * @param importance  |∂L/∂ξ| [layer][head], each layer divided by its L2 norm when {@code normalized}
 * @param normalized  whether each layer's scores were divided by their L2 norm
 */
public record GradientScores(String objective, double loss, double[][] gradient, double[][] importance, boolean normalized) {

    /** Michel et al. average I_h over inputs: the mean importance (and gradient, loss) of several inputs' scores. */
    public static GradientScores average(java.util.List<GradientScores> scores) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("no scores to average");
        }
        GradientScores first = scores.get(0);
        int layers = first.importance().length;
        int heads = first.importance()[0].length;
        double[][] gradient = new double[layers][heads];
        double[][] importance = new double[layers][heads];
        double loss = 0;
        for (GradientScores s : scores) {
            loss += s.loss() / scores.size();
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    gradient[l][h] += s.gradient()[l][h] / scores.size();
                    importance[l][h] += s.importance()[l][h] / scores.size();
                }
            }
        }
        return new GradientScores(first.objective(), loss, gradient, importance, first.normalized());
    }
}
