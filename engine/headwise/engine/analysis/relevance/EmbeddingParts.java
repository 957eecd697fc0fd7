package headwise.engine.analysis.relevance;

import headwise.engine.image.PatchEmbedding;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * The residual stream's input split into the parts relevance is reported for, each [T, d]: the tokens (embedding
 * rows through project_in and Gemma's scale; ViT: CLS/distillation rows and the patch projections), then the
 * positions and the token types where the model has them. Their sum (BERT: before its embedding norm) is what
 * {@link Transformer#embed} gives. Text joined with an image (a vision-language model) is one part, the joined
 * embedding rows as given: the decoders LLaVA uses have no learned positions, so there is nothing to split off.
 *
 * @param positions index of the position part in {@code parts}, or −1
 * @param types     index of the token-type part, or −1
 */
record EmbeddingParts(List<INDArray> parts, int positions, int types) {

    static EmbeddingParts of(Transformer transformer, ModelInput input) {
        List<INDArray> parts = new ArrayList<>();
        int positions = -1;
        int types = -1;
        if (input.pixels() != null) {
            var vision = transformer.weights().vision();
            parts.add(PatchEmbedding.tokens(transformer.spec(), vision, input.pixels(), input.grid()));
            parts.add(PatchEmbedding.positions(vision, input.grid()));
            return new EmbeddingParts(parts, 1, -1);
        }
        if (input.embeddings() != null) {
            parts.add(Ops.fromFloats(input.embeddings(), input.length(), transformer.spec().dModel()));
            return new EmbeddingParts(parts, -1, -1);
        }
        int length = input.length();
        var weights = transformer.weights();
        parts.add(transformer.tokenEmbeddings(new int[][] {input.ids()}));
        if (weights.positionEmbed() != null) {
            positions = parts.size();
            parts.add(weights.positionEmbed().get(interval(0, length), all()).dup('c'));
        }
        if (weights.tokenTypeEmbed() != null) {
            types = parts.size();
            parts.add(Nd4j.tile(weights.tokenTypeEmbed().getRow(0).reshape(1, -1), length, 1));
        }
        return new EmbeddingParts(parts, positions, types);
    }
}
