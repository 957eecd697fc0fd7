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
 * patches, CLS (and DeiT's distillation token) in front, plus the learned position embeddings (interpolated when
 * the patch grid is not the trained one, see {@link PositionInterpolation}), then CLIP's pre-layernorm if it has one.
 */
public final class PatchEmbedding {

    private PatchEmbedding() {
    }

    /** @param pixels [channels, size, size] channels-first at the trained size; returns [1, tokens, d] */
    public static INDArray embed(ModelSpec spec, ModelWeights.VisionWeights weights, float[] pixels) {
        return embed(spec, weights, pixels, PatchGrid.trained(spec.vision()));
    }

    /** @param pixels [channels, grid.height(), grid.width()] channels-first; returns the residual stream input [1, tokens, d] */
    public static INDArray embed(ModelSpec spec, ModelWeights.VisionWeights weights, float[] pixels, PatchGrid grid) {
        INDArray tokens = tokens(spec, weights, pixels, grid).addi(positions(weights, grid));
        if (weights.preNorm() != null) { // CLIP normalises the embeddings once more before its first block
            tokens = Ops.layerNorm(tokens, weights.preNorm(), spec.normEps());
        }
        return tokens.reshape(1, grid.tokens(), spec.dModel());
    }

    /** The (interpolated) position embeddings of the grid's tokens, [tokens, d]. */
    public static INDArray positions(ModelWeights.VisionWeights weights, PatchGrid grid) {
        return PositionInterpolation.interpolate(weights.positions(), grid);
    }

    /** The token part of {@link #embed}: CLS (and distillation) rows, then the patch projections, [tokens, d]. */
    public static INDArray tokens(ModelSpec spec, ModelWeights.VisionWeights weights, float[] pixels, PatchGrid grid) {
        ModelSpec.Vision vision = spec.vision();
        int patchLength = vision.channels() * vision.patchSize() * vision.patchSize();
        INDArray flat = Nd4j.create(patches(grid, vision.channels(), pixels), new long[] {grid.patches(), patchLength}, 'c');
        List<INDArray> rows = new ArrayList<>();
        if (vision.classToken()) {
            rows.add(weights.clsToken().reshape(1, spec.dModel()));
        }
        if (weights.distillationToken() != null) {
            rows.add(weights.distillationToken().reshape(1, spec.dModel()));
        }
        rows.add(Ops.linear(flat, weights.patchEmbed()));
        return rows.size() == 1 ? rows.get(0) : Nd4j.concat(0, rows.toArray(INDArray[]::new));
    }

    /** {@link #patches(PatchGrid, int, float[])} for the trained grid. */
    public static float[] patches(ModelSpec.Vision vision, float[] pixels) {
        return patches(PatchGrid.trained(vision), vision.channels(), pixels);
    }

    /**
     * Patches row-major over the grid (what conv2d + flatten(2) gives), each flattened in (channel, y, x) order
     * to match the convolution weight [d, C, P, P] flattened: [patches · C·P·P].
     */
    public static float[] patches(PatchGrid grid, int channels, float[] pixels) {
        int width = grid.width();
        int height = grid.height();
        int p = grid.patchSize();
        if (pixels.length != channels * width * height) {
            throw new IllegalArgumentException("expected " + channels + "x" + height + "x" + width + " pixels, got " + pixels.length);
        }
        float[] out = new float[grid.patches() * channels * p * p];
        int i = 0;
        for (int row = 0; row < grid.rows(); row++) {
            for (int col = 0; col < grid.cols(); col++) {
                for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < p; y++) {
                        int from = (c * height + row * p + y) * width + col * p;
                        System.arraycopy(pixels, from, out, i, p);
                        i += p;
                    }
                }
            }
        }
        return out;
    }
}
