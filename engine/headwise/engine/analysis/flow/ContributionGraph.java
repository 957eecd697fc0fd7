package headwise.engine.analysis.flow;

import java.util.List;

/**
 * Information-flow routes (Ferrando & Voita 2024) as a token × layer graph, the shape every flow view and export
 * shares. Node (layer, token): layer 0 is the embedding of the token, layer l (1..layers) the residual stream after
 * block l. Edges only go from layer l−1 to layer l.
 *
 * @param tokens  T
 * @param target  the output token position the routes were traced back from, or −1 for the whole graph
 * @param edges   kept edges (weight above the threshold, after renormalisation), weights in (0, 1]
 */
public record ContributionGraph(int layers, int tokens, int target, double threshold, List<Edge> edges) {

    /** How information moved: ATTENTION from token {@code from} to token {@code to} (summed over heads), or along the
     *  residual stream of one token (from == to), with the MLP's share folded in (how: {@link ContributionGraphs}). */
    public enum Kind { ATTENTION, RESIDUAL }

    /** @param toLayer the block (1..layers) whose input {@code (toLayer − 1, fromToken)} feeds {@code (toLayer, toToken)} */
    public record Edge(int toLayer, int fromToken, int toToken, double weight, Kind kind) {
    }
}
