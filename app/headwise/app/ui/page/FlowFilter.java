package headwise.app.ui.page;

import headwise.engine.analysis.flow.ContributionGraph;

import java.util.ArrayList;
import java.util.List;

/**
 * The flow slider's filter: keeps the computed graph's edges of weight at least {@code threshold} that still lie on
 * a path to the traced target (edges cut off from it by the higher threshold go too). Weights are left as computed:
 * raising the slider only hides routes, it does not re-run the analysis.
 */
final class FlowFilter {

    private FlowFilter() {
    }

    static ContributionGraph above(ContributionGraph graph, double threshold) {
        List<ContributionGraph.Edge> strong = new ArrayList<>();
        for (ContributionGraph.Edge e : graph.edges()) {
            if (e.weight() >= threshold) {
                strong.add(e);
            }
        }
        if (graph.target() < 0) {
            return new ContributionGraph(graph.layers(), graph.tokens(), graph.target(), threshold, strong);
        }
        // walk down from the target: a node is live when a kept edge leads from it to a live node above
        boolean[][] live = new boolean[graph.layers() + 1][graph.tokens()];
        live[graph.layers()][graph.target()] = true;
        List<ContributionGraph.Edge> kept = new ArrayList<>();
        for (int layer = graph.layers(); layer >= 1; layer--) {
            for (ContributionGraph.Edge e : strong) {
                if (e.toLayer() == layer && live[layer][e.toToken()]) {
                    live[layer - 1][e.fromToken()] = true;
                    kept.add(e);
                }
            }
        }
        return new ContributionGraph(graph.layers(), graph.tokens(), graph.target(), Math.max(threshold, graph.threshold()), kept);
    }
}
