package headwise.engine.run;

import headwise.engine.hooks.Hooks;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a run of an input starts: token ids go through the model's embedding; an image (ViT) through its patch
 * embedding; text joined with an image (a vision-language model) is already embedded ({@link ModelInput#embeddings}).
 */
public final class InputEmbeddings {

    private InputEmbeddings() {
    }

    /** The residual stream's input [1, T, d] of an image or joined input, or null for plain token ids. */
    public static INDArray of(Transformer transformer, ModelInput input) {
        if (input.pixels() != null) {
            return PatchEmbedding.embed(transformer.spec(), transformer.weights().vision(), input.pixels(), input.grid());
        }
        if (input.embeddings() != null) {
            return Ops.fromFloats(input.embeddings(), 1, input.length(), transformer.spec().dModel());
        }
        return null;
    }

    /** One forward of {@code input} with {@code hooks}. */
    public static Transformer.Result run(Transformer transformer, ModelInput input, Hooks hooks) {
        INDArray embedded = of(transformer, input);
        return embedded != null ? transformer.runFromEmbeddings(embedded, hooks) : transformer.run(new int[][] {input.ids()}, hooks);
    }
}
