package headwise.engine.analysis.flow;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.run.HeadPatterns;
import headwise.engine.run.InputEmbeddings;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs a model once, without interventions, and hands each layer's hook values to consumers as soon as the layer is
 * done (at its resid_post hook), so only one layer's attention is held at a time. The observers return the values
 * unchanged: the run is the model's own. An input whose [heads, T, T] scores pass the model's maxWholeScores attends
 * in query blocks, with no whole pattern to tap: its patterns are recomputed head by head from the layer's queries
 * and keys instead (the same masked softmax; nothing of size heads·T² exists off-heap).
 */
public final class LayerTap {

    private LayerTap() {
    }

    /** Runs {@code model} on {@code input} (ids, or an image's pixels) and feeds every layer, in order, to each consumer. */
    public static void run(LoadedModel model, ModelInput input, Set<LayerActivations.Part> parts,
                           List<? extends Consumer<LayerActivations>> consumers) {
        ModelSpec spec = model.spec();
        input.validate(spec, "input");
        Transformer transformer = model.transformer();
        Hooks hooks = Hooks.none();
        EnumSet<LayerActivations.Part> wanted = parts.isEmpty() ? EnumSet.noneOf(LayerActivations.Part.class) : EnumSet.copyOf(parts);
        int tokens = input.length();
        // past the whole-score limit the forward attends in query blocks and builds no whole pattern to tap
        boolean recompute = transformer.attendsInBlocks(1, tokens, tokens);
        for (int layer = 0; layer < spec.layers(); layer++) {
            Pending p = new Pending(layer);
            tap(hooks, wanted, LayerActivations.Part.RESID_PRE, HookNames.residPre(layer), x -> p.residPre = floats(x));
            tap(hooks, wanted, LayerActivations.Part.V, HookNames.v(layer), x -> p.v = floats(x));
            if (wanted.contains(LayerActivations.Part.PATTERN) && recompute) {
                tap(hooks, HookNames.q(layer), x -> p.queries = floats(x));
                tap(hooks, HookNames.k(layer), x -> p.keys = floats(x));
            } else if (wanted.contains(LayerActivations.Part.PATTERN)) {
                hooks.intervene(HookNames.pattern(layer), x -> {
                    p.pattern = heads(x, tokens);
                    return x;
                });
            }
            tap(hooks, wanted, LayerActivations.Part.RESID_MID, HookNames.residMid(layer), x -> p.residMid = floats(x));
            tap(hooks, wanted, LayerActivations.Part.MLP_OUT, HookNames.mlpOut(layer), x -> p.mlpOut = floats(x));
            hooks.intervene(HookNames.residPost(layer), x -> {
                float[] post = wanted.contains(LayerActivations.Part.RESID_POST) ? floats(x) : null;
                if (p.queries != null) {
                    p.pattern = recomputed(spec, p.layer, tokens, p.queries, p.keys);
                }
                LayerActivations done = new LayerActivations(p.layer, tokens, p.residPre, p.pattern, p.v, p.residMid, p.mlpOut, post);
                p.clear();
                for (Consumer<LayerActivations> c : consumers) {
                    c.accept(done);
                }
                return x;
            });
        }
        InputEmbeddings.run(transformer, input, hooks);
    }

    private static void tap(Hooks hooks, Set<LayerActivations.Part> wanted, LayerActivations.Part part, String hook,
                            Consumer<INDArray> store) {
        if (wanted.contains(part)) {
            tap(hooks, hook, store);
        }
    }

    private static void tap(Hooks hooks, String hook, Consumer<INDArray> store) {
        hooks.intervene(hook, x -> {
            store.accept(x);
            return x;
        });
    }

    /** Every head's [T·T] pattern from the layer's queries and keys, one head at a time. */
    private static float[][] recomputed(ModelSpec spec, int layer, int tokens, float[] queries, float[] keys) {
        float[][] out = new float[spec.heads()][];
        for (int h = 0; h < out.length; h++) {
            out[h] = HeadPatterns.recompute(spec, layer, h, tokens, queries, keys);
        }
        return out;
    }

    /** Batch element 0 of a hook value, row-major float32. */
    static float[] floats(INDArray x) {
        return Ops.floats(x.size(0) == 1 ? x : x.slice(0));
    }

    /** pattern [1, H, T, T] as one row-major T×T array per head. */
    private static float[][] heads(INDArray pattern, int tokens) {
        float[] all = floats(pattern);
        int tt = tokens * tokens;
        float[][] out = new float[all.length / tt][];
        for (int h = 0; h < out.length; h++) {
            out[h] = java.util.Arrays.copyOfRange(all, h * tt, (h + 1) * tt);
        }
        return out;
    }

    /** What a layer's hooks delivered so far. */
    private static final class Pending {
        final int layer;
        float[] residPre;
        float[][] pattern;
        float[] v;
        float[] residMid;
        float[] mlpOut;
        float[] queries;
        float[] keys;

        Pending(int layer) {
            this.layer = layer;
        }

        void clear() {
            residPre = null;
            pattern = null;
            v = null;
            residMid = null;
            mlpOut = null;
            queries = null;
            keys = null;
        }
    }
}
