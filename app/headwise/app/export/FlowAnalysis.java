package headwise.app.export;

import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.flow.ContributionGraphs;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;

/** The information-flow graph for the flow view and flow.json/graphml (the analysis lives in the engine). */
final class FlowAnalysis {

    static final double DEFAULT_THRESHOLD = ContributionGraphs.DEFAULT_THRESHOLD;

    private FlowAnalysis() {
    }

    /** @param target output position to trace back from */
    static ContributionGraph compute(LoadedModel model, ModelInput input, int target, double threshold) {
        return ContributionGraphs.compute(model, input, target, threshold);
    }
}
