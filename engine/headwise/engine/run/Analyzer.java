package headwise.engine.run;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
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
        if (precision == AttentionMaps.Precision.RECOMPUTE && changesPatterns(interventions, spec.layers())) {
            throw new HeadwiseException("an input of " + input.length() + " tokens is too long to store its attention, and "
                    + "interventions on attention patterns need it stored: shorten the input or remove the re-weighting");
        }
        Hooks hooks = interventions.copy();
        AttentionCapture attention = AttentionCapture.attach(hooks, spec, input.length(), precision);
        Transformer transformer = model.transformer();
        Transformer.Result result = InputEmbeddings.run(transformer, input, hooks);
        INDArray output = result.output(); // [1, T, width], or [1, 1, classes] for classifiers
        Matrix outputs = new Matrix((int) output.size(1), (int) output.size(2), Ops.floats(output));
        if (!hooks.touches(HookNames.LOGITS)) { // then nothing else holds the output
            transformer.recycleOutput(output);
        }
        return new AnalysisResult(model.name(), spec, input, attention.maps(), outputs);
    }

    private static boolean changesPatterns(Hooks interventions, int layers) {
        for (int layer = 0; layer < layers; layer++) {
            if (interventions.touches(HookNames.pattern(layer)) || interventions.touches(HookNames.attnScores(layer))) {
                return true;
            }
        }
        return false;
    }
}
