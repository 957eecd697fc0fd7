package headwise.engine.analysis.intervene;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.IntFunction;

/**
 * An analysed run that answers an intervention by recomputing only the layers it changes: the unchanged run keeps
 * its residual stream at the input of some layers (checkpoints), and an intervention whose first hook is in layer l
 * runs again from the highest checkpoint ≤ l, so it costs about (L − l)/L of a forward; the attention of the layers
 * below is the unchanged run's, shared. The checkpoints stay within a byte budget (every layer when it allows,
 * else every k-th), on the Java heap; nothing else is kept. Thread-safe once built (every field is final).
 */
public final class ResumableRun {

    /** The checkpoints' default budget: all 12 layers of GPT-2-small at 1024 tokens take 36 MiB. */
    public static final long DEFAULT_CHECKPOINT_BYTES = 256L << 20;

    /** Per-layer hook points: touching any of them in layer l changes layers l… */
    private static final java.util.List<IntFunction<String>> LAYER_HOOKS = java.util.List.of(HookNames::residPre,
            HookNames::q, HookNames::k, HookNames::v, HookNames::attnScores, HookNames::pattern, HookNames::z,
            HookNames::attnOut, HookNames::residMid, HookNames::mlpOut, HookNames::ln2Normalized, HookNames::residPost);

    private final LoadedModel model;
    private final ModelInput input;
    private final AnalysisResult original;
    /** [layer]: resid_pre of that layer as [T·d] floats, or null where no checkpoint is kept. */
    private final float[][] checkpoints;

    private ResumableRun(LoadedModel model, ModelInput input, AnalysisResult original, float[][] checkpoints) {
        this.model = model;
        this.input = input;
        this.original = original;
        this.checkpoints = checkpoints;
    }

    /** Analyses {@code input} unchanged, keeping checkpoints within {@link #DEFAULT_CHECKPOINT_BYTES}. */
    public static ResumableRun analyze(LoadedModel model, ModelInput input) {
        return analyze(model, input, DEFAULT_CHECKPOINT_BYTES);
    }

    /** @param checkpointBytes bound on the checkpoints' heap; layer 0's is always kept */
    public static ResumableRun analyze(LoadedModel model, ModelInput input, long checkpointBytes) {
        ModelSpec spec = model.spec();
        int stride = checkpointStride(spec.layers(), 4L * input.length() * spec.dModel(), checkpointBytes);
        float[][] checkpoints = new float[spec.layers()][];
        Hooks keep = Hooks.none();
        for (int layer = 0; layer < spec.layers(); layer += stride) {
            int l = layer;
            keep.intervene(HookNames.residPre(layer), resid -> { // observes: the run is unchanged
                checkpoints[l] = Ops.floats(resid);
                return resid;
            });
        }
        return new ResumableRun(model, input, Analyzer.analyze(model, input, keep), checkpoints);
    }

    /** Every how many layers a checkpoint of {@code layerBytes} is kept so that all fit {@code budget}. */
    static int checkpointStride(int layers, long layerBytes, long budget) {
        long fit = Math.max(1, budget / Math.max(1, layerBytes));
        return (int) Math.max(1, Math.min(layers, (layers + fit - 1) / fit));
    }

    /** The model it ran on. */
    public LoadedModel model() {
        return model;
    }

    /** The unchanged run. */
    public AnalysisResult original() {
        return original;
    }

    public ModelInput input() {
        return input;
    }

    /** Heap bytes the checkpoints take. */
    public long checkpointBytes() {
        long bytes = 0;
        for (float[] c : checkpoints) {
            bytes += c == null ? 0 : 4L * c.length;
        }
        return bytes;
    }

    /**
     * The run with {@code interventions}: the same as {@code Analyzer.analyze(model, input, interventions)} (to
     * float32 rounding), computed from {@link #startLayer} on.
     */
    public AnalysisResult rerun(Hooks interventions) {
        int from = startLayer(interventions);
        if (from < 0) {
            return Analyzer.analyze(model, input, interventions);
        }
        ModelSpec spec = model.spec();
        INDArray resid = Ops.fromFloats(checkpoints[from], 1, input.length(), spec.dModel());
        try {
            return Analyzer.analyzeFrom(model, input, interventions, from, resid, original.attention());
        } finally {
            resid.close();
        }
    }

    /** The layer a rerun with {@code interventions} starts from: a checkpoint at or below the first layer they touch; −1 when they touch the embedding (a full run). */
    public int startLayer(Hooks interventions) {
        int first = firstLayerTouched(interventions, model.spec().layers());
        if (first < 0) {
            return -1;
        }
        int from = Math.min(first, model.spec().layers() - 1); // output hooks only: the last layer runs again
        while (checkpoints[from] == null) {
            from--;
        }
        return from;
    }

    /** The first layer whose hooks {@code hooks} touch; −1 for the embedding; {@code layers} when only the output. */
    public static int firstLayerTouched(Hooks hooks, int layers) {
        if (hooks.touches(HookNames.EMBED)) {
            return -1;
        }
        for (int layer = 0; layer < layers; layer++) {
            for (IntFunction<String> name : LAYER_HOOKS) {
                if (hooks.touches(name.apply(layer))) {
                    return layer;
                }
            }
        }
        return layers;
    }
}
