package headwise.app.export;

import headwise.app.session.Results;
import headwise.app.session.Selection;
import headwise.app.session.Session;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.MetricsReport;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.GradientImportance;
import headwise.engine.analysis.importance.GradientScores;
import headwise.engine.analysis.relevance.Relevance;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs what a set of views needs and gathers it into a {@link Session} (for the CLI; the app may call it from a
 * background task too). Everything is deterministic for the same model and input.
 */
public final class SessionAnalysis {

    /** Analyses beyond the plain run, each costing extra forward (or backward) passes. */
    public enum Part {
        /** metrics.json: two extra forwards (residual stream, head-type detection). */
        METRICS,
        /** Ablation (L·H batched re-runs of the upper layers) and gradient importance (one backward). */
        IMPORTANCE,
        /** The information-flow graph. */
        FLOW,
        /** A second run on {@link Options#comparison}. */
        COMPARISON,
        /** Relevance maps of every method for one target (each one forward and one backward). */
        RELEVANCE
    }

    /**
     * @param layer         the selected layer
     * @param head          the selected head, −1 for none
     * @param logScale      heatmap colours in log10
     * @param comparison    the second input for the compare view, or null
     * @param flowTarget    position the flow graph is traced back from; −1 = last token
     * @param flowThreshold flow edges below this weight are dropped
     * @param relevancePosition the output position relevance explains, or null for the default (RelevanceTarget)
     * @param relevanceTarget   the token id / class / dimension relevance explains, or null for the top one
     */
    public record Options(int layer, int head, boolean logScale, ModelInput comparison, int flowTarget, double flowThreshold,
                          Integer relevancePosition, Integer relevanceTarget) {
        public Options(int layer, int head, boolean logScale, ModelInput comparison, int flowTarget, double flowThreshold) {
            this(layer, head, logScale, comparison, flowTarget, flowThreshold, null, null);
        }

        public static Options defaults() {
            return new Options(0, -1, false, null, -1, FlowAnalysis.DEFAULT_THRESHOLD);
        }
    }

    private SessionAnalysis() {
    }

    /** What drawing {@code view} needs beyond the plain run. */
    public static Set<Part> partsFor(ViewKind view) {
        return switch (view) {
            case MODEL_VIEW -> EnumSet.of(Part.METRICS, Part.IMPORTANCE);
            case IMPORTANCE -> EnumSet.of(Part.IMPORTANCE);
            case LAYERS -> EnumSet.of(Part.METRICS);
            case FLOW -> EnumSet.of(Part.FLOW);
            case COMPARE -> EnumSet.of(Part.COMPARISON);
            case RELEVANCE, FAITHFULNESS -> EnumSet.of(Part.RELEVANCE);
            default -> EnumSet.noneOf(Part.class);
        };
    }

    /**
     * Runs the model on {@code input} and the requested parts; a part that cannot be computed (no flow analysis in
     * this build, a target outside the input) is a HeadwiseException. {@link #runAvailable} leaves such parts out.
     */
    public static Session run(LoadedModel model, ModelInput input, Set<Part> parts, Options options) {
        return run(model, input, parts, options, note -> { });
    }

    /**
     * As {@link #run}; {@code notes} receives one line for each measure left out because the input is too long for
     * it (gradient importance past the memory of its backward pass: the heads are then ranked by ablation alone).
     */
    public static Session run(LoadedModel model, ModelInput input, Set<Part> parts, Options options, Consumer<String> notes) {
        return compute(model, input, parts, options, notes);
    }

    /**
     * As {@link #run}, but the flow graph is left out when it cannot be computed (its view then says the session has
     * none); {@code problems} receives one line per part left out.
     */
    public static Session runAvailable(LoadedModel model, ModelInput input, Set<Part> parts, Options options,
                                       Consumer<String> problems) {
        Session s = compute(model, input, without(parts, Part.FLOW), options, problems);
        if (parts.contains(Part.FLOW)) {
            try {
                s = new Session(s.results().withFlow(flow(model, input, options)), s.selection());
            } catch (HeadwiseException e) {
                problems.accept("flow: " + e.getMessage());
            }
        }
        return s;
    }

    private static Set<Part> without(Set<Part> parts, Part part) {
        Set<Part> out = EnumSet.noneOf(Part.class);
        out.addAll(parts);
        out.remove(part);
        return out;
    }

    private static Session compute(LoadedModel model, ModelInput input, Set<Part> parts, Options options, Consumer<String> notes) {
        AnalysisResult result = Analyzer.analyze(model, input);
        Map<String, Object> metrics = parts.contains(Part.METRICS) ? MetricsReport.compute(model, result) : null;
        LensTokens.addNames(model, metrics);
        AblationScores ablation = null;
        GradientScores gradient = null;
        if (parts.contains(Part.IMPORTANCE)) {
            ablation = AblationImportance.compute(model, input, Interventions.Ablation.ZERO, AblationImportance.Options.defaults());
            gradient = gradientIfItFits(model, input, notes);
        }
        ContributionGraph flow = parts.contains(Part.FLOW) ? flow(model, input, options) : null;
        AnalysisResult comparison = parts.contains(Part.COMPARISON) && options.comparison() != null
                ? Analyzer.analyze(model, options.comparison()) : null;
        Results results = new Results(result, metrics, ablation, gradient, flow, comparison, null, null,
                parts.contains(Part.RELEVANCE) ? relevance(model, input, options) : null);
        return new Session(results, Selection.defaults().withHead(options.layer(), options.head()).withLogScale(options.logScale()));
    }

    /**
     * Adds {@code parts} to existing results, computed on their own input (the app: parts a page asks for after the
     * run), importance ablating in {@code mode} (redone if the results' is another). The comparison is not a part
     * this adds; metrics, importance and flow measure the model without any intervention the run may have had.
     */
    public static Results addParts(LoadedModel model, Results results, Set<Part> parts, Options options, Interventions.Ablation mode) {
        return addParts(model, results, parts, options, mode, note -> { });
    }

    /**
     * As {@link #addParts(LoadedModel, Results, Set, Options, Interventions.Ablation)}; {@code notes} receives one line
     * for each measure left out because the input is too long for it (gradient importance past the memory of its
     * backward pass: importance is then ablation alone, and {@link #importanceComplete} counts it complete).
     */
    public static Results addParts(LoadedModel model, Results results, Set<Part> parts, Options options,
                                   Interventions.Ablation mode, Consumer<String> notes) {
        ModelInput input = results.result().input();
        Results s = results;
        if (parts.contains(Part.METRICS) && s.metrics() == null) {
            Map<String, Object> metrics = MetricsReport.compute(model, s.result());
            LensTokens.addNames(model, metrics); // the Layers page's logit lens shows words, as after a full run
            s = s.withMetrics(metrics);
        }
        if (parts.contains(Part.IMPORTANCE) && !importanceComplete(s, mode)) {
            AblationScores ablation = s.ablation() != null && s.ablation().mode() == mode ? s.ablation()
                    : AblationImportance.compute(model, input, mode, AblationImportance.Options.defaults());
            GradientScores gradient = s.gradient() != null ? s.gradient() : gradientIfItFits(model, input, notes);
            s = s.withImportance(ablation, gradient);
        }
        if (parts.contains(Part.FLOW) && s.flow() == null) {
            s = s.withFlow(flow(model, input, options));
        }
        if (parts.contains(Part.RELEVANCE) && s.relevance() == null) {
            s = s.withRelevance(relevance(model, input, options));
        }
        return s;
    }

    /**
     * Whether {@code results} hold importance in {@code mode}: its ablation and the gradient, or the ablation alone
     * where the gradient's backward pass over this input does not fit the memory (so asking again would not add it).
     */
    public static boolean importanceComplete(Results results, Interventions.Ablation mode) {
        if (results.ablation() == null || results.ablation().mode() != mode) {
            return false;
        }
        return results.gradient() != null || gradientLeftOut(results) != null;
    }

    /**
     * Why the results lack the gradient measure for good (its backward pass over their input does not fit the
     * memory), or null where they have it or it can be computed.
     */
    public static String gradientLeftOut(Results results) {
        return results.gradient() != null ? null : gradientTooLong(results.result().spec(), results.result().input().length());
    }

    /** Gradient importance, or null with a note when its backward pass over the whole input cannot fit the memory. */
    private static GradientScores gradientIfItFits(LoadedModel model, ModelInput input, Consumer<String> notes) {
        String tooLong = gradientTooLong(model.spec(), input.length());
        if (tooLong != null) {
            notes.accept(tooLong + ": left out, the heads are ranked by ablation alone");
            return null;
        }
        return QuietStdout.call(() -> GradientImportance.compute(model, input, GradientImportance.Options.defaults()));
    }

    /** Why gradient importance's backward pass over {@code tokens} cannot fit the memory, or null where it can. */
    private static String gradientTooLong(ModelSpec spec, int tokens) {
        try {
            MemoryBudget.checkGradientPass(spec, tokens, "gradient importance");
            return null;
        } catch (HeadwiseException tooLong) {
            return tooLong.getMessage();
        }
    }

    /** Every method's map for the options' target (SameDiff's build chatter kept off stdout). */
    private static List<RelevanceMap> relevance(LoadedModel model, ModelInput input, Options options) {
        return QuietStdout.call(() -> Relevance.computeAll(model,
                Relevance.prepare(model, input, options.relevancePosition(), options.relevanceTarget())));
    }

    /** Every part (the comparison only when a second input is given). */
    public static Set<Part> all() {
        return EnumSet.allOf(Part.class);
    }

    private static ContributionGraph flow(LoadedModel model, ModelInput input, Options options) {
        int target = options.flowTarget() < 0 ? input.length() - 1 : options.flowTarget();
        if (target >= input.length()) {
            throw new HeadwiseException("--target " + target + " is outside the input's " + input.length() + " tokens");
        }
        return FlowAnalysis.compute(model, input, target, options.flowThreshold());
    }
}
