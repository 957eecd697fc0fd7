package headwise.engine.analysis.flow;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Information-flow routes as a {@link ContributionGraph}: one step per block, node (l−1, j) → (l, i).
 * <p>
 * <b>Block edges.</b> A block has two halves ({@link Contributions}): attention (query i draws a_ij = Σ_h c_ijh from
 * each key j and r_i from its own residual stream; Σ_j a_ij + r_i = 1) and the MLP (resid_post_i is m_i from
 * mlp_out and 1 − m_i from resid_mid_i). The graph has one node per token and layer, so the MLP half is folded into
 * the edges of the block:
 * <ul>
 * <li>{@link MlpFold#TOKEN_LOCAL} (default): the MLP computes on token i alone, so its share is credited to token i's
 * own stream, the RESIDUAL edge: ATTENTION j → i weighs (1 − m_i)·a_ij, RESIDUAL i → i weighs (1 − m_i)·r_i + m_i.
 * A block whose MLP dominates shows mostly residual.</li>
 * <li>{@link MlpFold#PROPORTIONAL}: the MLP passes on the mix that resid_mid holds, so the weights are the attention
 * half's, a_ij and r_i, unchanged. These are the token-to-token routes of the LLM Transparency Tool, whose MLP
 * node sits between resid_mid and resid_post of one token and never changes which tokens are connected.</li>
 * </ul>
 * Either way the incoming weights of a node sum to 1. Attention of a token to itself (j = i) stays an ATTENTION
 * edge beside the RESIDUAL one (the LLM Transparency Tool adds the two).
 * <p>
 * <b>Threshold.</b> Edges of weight ≤ τ are dropped (on the head-summed block weights, as METHODS.md says; the Tool
 * thresholds each head's share before summing) and the kept incoming edges of every node are renormalised to sum
 * to 1. <b>Trace.</b> From output node (L, target) back along kept edges; the result holds the kept edges that lie
 * on a path to it. Target −1 keeps every kept edge.
 */
public final class ContributionGraphs {

    public static final double DEFAULT_THRESHOLD = 0.04;

    /** How the MLP half of a block enters the block's edges (see the class comment). */
    public enum MlpFold { TOKEN_LOCAL, PROPORTIONAL }

    private ContributionGraphs() {
    }

    /**
     * One forward of {@code model} on {@code input}, then the graph with the MLP folded into the residual edges.
     *
     * @param target    output token to trace back from, or −1 for the whole graph
     * @param threshold τ (default {@value #DEFAULT_THRESHOLD})
     */
    public static ContributionGraph compute(LoadedModel model, ModelInput input, int target, double threshold) {
        checkTarget(target, input.length());
        return graph(Contributions.compute(model, input, false), target, threshold, MlpFold.TOKEN_LOCAL);
    }

    public static ContributionGraph graph(Contributions c, int target, double threshold, MlpFold fold) {
        checkTarget(target, c.tokens());
        if (!(threshold >= 0 && threshold < 1)) {
            throw new HeadwiseException("contribution graph: threshold " + threshold + " must be in [0, 1)");
        }
        int layers = c.layers();
        int tokens = c.tokens();
        List<ContributionGraph.Edge>[][] incoming = kept(c, threshold, fold);
        List<ContributionGraph.Edge> edges = new ArrayList<>();
        if (target < 0) {
            for (int l = 1; l <= layers; l++) {
                for (int i = 0; i < tokens; i++) {
                    edges.addAll(incoming[l - 1][i]);
                }
            }
        } else {
            boolean[] reached = new boolean[tokens];
            reached[target] = true;
            for (int l = layers; l >= 1; l--) {
                boolean[] below = new boolean[tokens];
                for (int i = 0; i < tokens; i++) {
                    if (reached[i]) {
                        for (ContributionGraph.Edge e : incoming[l - 1][i]) {
                            edges.add(e);
                            below[e.fromToken()] = true;
                        }
                    }
                }
                reached = below;
            }
        }
        edges.sort(Comparator.comparingInt(ContributionGraph.Edge::toLayer)
                .thenComparingInt(ContributionGraph.Edge::toToken)
                .thenComparingInt(ContributionGraph.Edge::fromToken)
                .thenComparing(ContributionGraph.Edge::kind));
        return new ContributionGraph(layers, tokens, target, threshold, List.copyOf(edges));
    }

    /**
     * Block edge weights before the threshold, for node (layer, i), layer 1..L: {@code [0..T)} ATTENTION from each
     * key j (0 where j is not visible), {@code [T]} RESIDUAL.
     */
    public static double[] blockWeights(Contributions c, int layer, int query, MlpFold fold) {
        int tokens = c.tokens();
        int l = layer - 1;
        double mlpShare = c.mlp()[l][query];
        double pass = fold == MlpFold.TOKEN_LOCAL ? 1 - mlpShare : 1;
        double[] w = new double[tokens + 1];
        for (int j = 0; j < tokens; j++) {
            w[j] = pass * c.attention(l, query, j);
        }
        w[tokens] = pass * c.residual()[l][query] + (fold == MlpFold.TOKEN_LOCAL ? mlpShare : 0);
        return w;
    }

    /** [layer − 1][token]: the kept incoming edges of node (layer, token), renormalised. */
    @SuppressWarnings("unchecked")
    private static List<ContributionGraph.Edge>[][] kept(Contributions c, double threshold, MlpFold fold) {
        int tokens = c.tokens();
        List<ContributionGraph.Edge>[][] out = new List[c.layers()][tokens];
        for (int layer = 1; layer <= c.layers(); layer++) {
            for (int i = 0; i < tokens; i++) {
                double[] w = blockWeights(c, layer, i, fold);
                double sum = 0;
                for (double x : w) {
                    sum += x > threshold ? x : 0;
                }
                List<ContributionGraph.Edge> edges = new ArrayList<>();
                for (int j = 0; j <= tokens && sum > 0; j++) {
                    if (w[j] > threshold) {
                        boolean residual = j == tokens;
                        edges.add(new ContributionGraph.Edge(layer, residual ? i : j, i, w[j] / sum,
                                residual ? ContributionGraph.Kind.RESIDUAL : ContributionGraph.Kind.ATTENTION));
                    }
                }
                out[layer - 1][i] = edges;
            }
        }
        return out;
    }

    private static void checkTarget(int target, int tokens) {
        if (target < -1 || target >= tokens) {
            throw new HeadwiseException("contribution graph: target token " + target + " is not −1 (whole graph) or in 0.."
                    + (tokens - 1));
        }
    }
}
