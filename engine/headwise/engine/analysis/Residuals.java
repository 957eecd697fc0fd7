package headwise.engine.analysis;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.run.InputEmbeddings;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The residual stream after every layer ({@code blocks.l.hook_resid_post}) of one sequence, [layers, T, d] row-major
 * in float32: the input of the massive-activation and sink-dimension analyses.
 */
public record Residuals(int layers, int tokens, int width, float[] values) {

    public Residuals {
        if ((long) layers * tokens * width != values.length) {
            throw new IllegalArgumentException("residual values do not match [" + layers + "," + tokens + "," + width + "]");
        }
    }

    public float get(int layer, int token, int channel) {
        return values[(layer * tokens + token) * width + channel];
    }

    /** Hook filter capturing what {@link #of} reads. */
    public static boolean isCaptured(String hookName) {
        return hookName.endsWith(".hook_resid_post");
    }

    /** Reads every layer's resid_post (batch element 0) from a cache that captured them. */
    public static Residuals of(ActivationCache cache, int layers) {
        float[] out = null;
        int tokens = 0;
        int width = 0;
        for (int l = 0; l < layers; l++) {
            INDArray x = cache.get(HookNames.residPost(l)); // [batch, T, d]
            if (out == null) {
                tokens = (int) x.size(1);
                width = (int) x.size(2);
                out = new float[layers * tokens * width];
            }
            float[] layer = x.slice(0).dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
            System.arraycopy(layer, 0, out, l * tokens * width, tokens * width);
        }
        return new Residuals(layers, tokens, width, out == null ? new float[0] : out);
    }

    /** Runs {@code model} on {@code input} (ids, or an image's pixels) without interventions, capturing resid_post. */
    public static Residuals capture(LoadedModel model, ModelInput input) {
        ModelSpec spec = model.spec();
        Transformer transformer = model.transformer();
        Hooks hooks = Hooks.capturing(Residuals::isCaptured);
        Transformer.Result result = InputEmbeddings.run(transformer, input, hooks);
        return of(result.cache(), spec.layers());
    }
}
