package headwise.engine.run;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a model on one input with every attention pattern captured, and hands back plain arrays. */
public final class Analyzer {

    private Analyzer() {
    }

    public static AnalysisResult analyze(LoadedModel model, ModelInput input) {
        return analyze(model, input, Hooks.none());
    }

    /** @param interventions hooks that change the run (ablations, re-weighting, patching); attention is captured too */
    public static AnalysisResult analyze(LoadedModel model, ModelInput input, Hooks interventions) {
        ModelSpec spec = model.spec();
        input.validate(spec, "input");
        AttentionMaps.Precision precision = MemoryBudget.check(spec, input.length(), model.transformer().options());
        refuseRecomputedPatterns(precision, interventions, input.length(), 0, spec.layers());
        Hooks hooks = interventions.copy();
        AttentionCapture attention = AttentionCapture.attach(hooks, spec, input.length(), precision);
        Transformer transformer = wholePatterns(model.transformer(), input.length(), precision);
        Transformer.Result result = InputEmbeddings.run(transformer, input, hooks);
        return result(model, input, hooks, attention, result);
    }

    /**
     * The same as {@link #analyze} for interventions that leave the layers below {@code fromLayer} as they were in
     * an earlier run on {@code input}: only layers {@code fromLayer}… run, on {@code residPre} [1, T, d] (that run's
     * resid_pre of {@code fromLayer}); the attention of the layers below is {@code below}'s (that run's maps, shared).
     */
    public static AnalysisResult analyzeFrom(LoadedModel model, ModelInput input, Hooks interventions, int fromLayer,
                                             INDArray residPre, AttentionMaps below) {
        ModelSpec spec = model.spec();
        refuseRecomputedPatterns(below.precision(), interventions, input.length(), fromLayer, spec.layers());
        Hooks hooks = interventions.copy();
        AttentionCapture attention = AttentionCapture.attachAbove(hooks, spec, below, fromLayer);
        Transformer transformer = wholePatterns(model.transformer(), input.length(), below.precision());
        return result(model, input, hooks, attention, transformer.runFrom(fromLayer, residPre, hooks));
    }

    /**
     * Stored maps are captured from whole [heads, T, T] patterns, which a long input would otherwise only attend to
     * in query blocks: the model with its whole-score limit raised to one layer's pattern. MemoryBudget counted it
     * (a 22-layer model's stored maps are 22 of them); recomputed heads need no pattern and keep the limit.
     */
    private static Transformer wholePatterns(Transformer transformer, int length, AttentionMaps.Precision precision) {
        long scores = (long) transformer.spec().heads() * length * length;
        ForwardOptions options = transformer.options();
        return precision == AttentionMaps.Precision.RECOMPUTE || scores <= options.maxWholeScores() ? transformer
                : transformer.withOptions(options.withMaxWholeScores(scores));
    }

    private static AnalysisResult result(LoadedModel model, ModelInput input, Hooks hooks, AttentionCapture attention,
                                         Transformer.Result result) {
        INDArray output = result.output(); // [1, T, width], or [1, 1, classes] for classifiers
        Matrix outputs = new Matrix((int) output.size(1), (int) output.size(2), Ops.floats(output));
        if (!hooks.touches(HookNames.LOGITS)) { // then nothing else holds the output
            model.transformer().recycleOutput(output);
        }
        return new AnalysisResult(model.name(), model.spec(), input, attention.maps(), outputs);
    }

    private static void refuseRecomputedPatterns(AttentionMaps.Precision precision, Hooks interventions, int length,
                                                 int fromLayer, int layers) {
        if (precision == AttentionMaps.Precision.RECOMPUTE && changesPatterns(interventions, fromLayer, layers)) {
            throw new HeadwiseException("an input of " + length + " tokens is too long to store its attention, and "
                    + "interventions on attention patterns need it stored: shorten the input or remove the re-weighting");
        }
    }

    private static boolean changesPatterns(Hooks interventions, int fromLayer, int layers) {
        for (int layer = fromLayer; layer < layers; layer++) {
            if (interventions.touches(HookNames.pattern(layer)) || interventions.touches(HookNames.attnScores(layer))) {
                return true;
            }
        }
        return false;
    }
}
