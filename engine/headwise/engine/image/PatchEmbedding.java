package headwise.engine.image;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * A ViT's embedding of a preprocessed image: the P×P patch convolution (stride P) as a matmul over flattened
 * patches, CLS (and DeiT's distillation token) in front, plus the learned position embeddings.
 */
public final class PatchEmbedding {

    private PatchEmbedding() {
    }

    /** @param pixels [channels, size, size] channels-first; returns the residual stream input [1, tokens, d] */
    public static INDArray embed(ModelSpec spec, ModelWeights.VisionWeights weights, float[] pixels) {
        ModelSpec.Vision vision = spec.vision();
        int patches = vision.patchesPerSide() * vision.patchesPerSide();
        int patchLength = vision.channels() * vision.patchSize() * vision.patchSize();
        INDArray flat = Nd4j.create(patches(vision, pixels), new long[] {patches, patchLength}, 'c');
        List<INDArray> rows = new ArrayList<>();
        rows.add(weights.clsToken().reshape(1, spec.dModel()));
        if (weights.distillationToken() != null) {
            rows.add(weights.distillationToken().reshape(1, spec.dModel()));
        }
        rows.add(Ops.linear(flat, weights.patchEmbed()));
        INDArray tokens = Nd4j.concat(0, rows.toArray(INDArray[]::new)).addi(weights.positions());
        return tokens.reshape(1, vision.tokens(), spec.dModel());
    }

    /**
     * Patches row-major over the grid (what conv2d + flatten(2) gives), each flattened in (channel, y, x) order
     * to match the convolution weight [d, C, P, P] flattened: [patches · C·P·P].
     */
    public static float[] patches(ModelSpec.Vision vision, float[] pixels) {
        int side = vision.imageSize();
        int p = vision.patchSize();
        int perSide = vision.patchesPerSide();
        int channels = vision.channels();
        if (pixels.length != channels * side * side) {
            throw new IllegalArgumentException("expected " + channels + "x" + side + "x" + side + " pixels, got " + pixels.length);
        }
        float[] out = new float[perSide * perSide * channels * p * p];
        int i = 0;
        for (int row = 0; row < perSide; row++) {
            for (int col = 0; col < perSide; col++) {
                for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < p; y++) {
                        int from = (c * side + row * p + y) * side + col * p;
                        System.arraycopy(pixels, from, out, i, p);
                        i += p;
                    }
                }
            }
        }
        return out;
    }
}
