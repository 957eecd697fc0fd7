package headwise.app.export;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;

/** The information-flow graph for the flow view and flow.json/graphml (the analysis itself lives in the engine). */
final class FlowAnalysis {

    /** Ferrando &amp; Voita's default: edges under 4 % of a node's incoming weight are dropped. */
    static final double DEFAULT_THRESHOLD = 0.04;

    private FlowAnalysis() {
    }

    /**
     * @param target output position to trace back from; −1 for the last token
     * @throws HeadwiseException while the engine has no flow analysis
     */
    static ContributionGraph compute(LoadedModel model, ModelInput input, int target, double threshold) {
        throw new HeadwiseException("the information-flow analysis is not available yet in this build, so there is no flow "
                + "graph to draw or write");
    }
}
