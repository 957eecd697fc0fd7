package headwise.engine.image;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Position embeddings for a patch grid other than the trained one, as Hugging Face's ViT and DeiT compute them with
 * {@code interpolate_pos_encoding=True} (ViTEmbeddings.interpolate_pos_encoding): the special tokens' positions
 * (CLS, DeiT's distillation token) are kept; the patch positions, reshaped to their trained grid
 * [√N, √N, d], are resized to [rows, cols, d] with PyTorch's
 * {@code nn.functional.interpolate(..., size=(rows, cols), mode="bicubic", align_corners=False)}.
 *
 * <p>Recent transformers (4.44 on) pass {@code size=(new_height, new_width)}, which is what this follows; older
 * versions passed {@code scale_factor=(h0 / √N, w0 / √N)} with 0.1 added to h0 and w0, which gives slightly
 * different source coordinates. PyTorch's bicubic is Keys' cubic convolution with a = −0.75 (PIL uses −0.5), source
 * coordinate {@code (in / out)·(o + 0.5) − 0.5}, not clamped, and the four taps' indices clamped to the edge.
 * Computed in double, returned in float.
 */
public final class PositionInterpolation {

    /** PyTorch's cubic convolution coefficient (upsample_bicubic2d). */
    static final double A = -0.75;

    private PositionInterpolation() {
    }

    /**
     * @param positions the trained position embeddings [special + side², d], special tokens first
     * @return [grid.tokens(), d]: the special tokens' rows as they are, then the interpolated patch grid row-major;
     *         {@code positions} itself when the grid is the trained one
     */
    public static INDArray interpolate(INDArray positions, PatchGrid grid) {
        int special = grid.specialTokens();
        int d = (int) positions.size(1);
        int trained = (int) positions.size(0) - special;
        int side = (int) Math.round(Math.sqrt(trained));
        if (side * side != trained) {
            throw new IllegalArgumentException(trained + " patch positions are not a square grid");
        }
        if (grid.rows() == side && grid.cols() == side) {
            return positions;
        }
        float[] in = positions.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[grid.tokens() * d];
        System.arraycopy(in, 0, out, 0, special * d);
        Taps ys = taps(side, grid.rows());
        Taps xs = taps(side, grid.cols());
        double[] row = new double[d];
        for (int y = 0; y < grid.rows(); y++) {
            for (int x = 0; x < grid.cols(); x++) {
                java.util.Arrays.fill(row, 0.0);
                for (int j = 0; j < 4; j++) {
                    int sy = ys.index[y][j];
                    double wy = ys.weight[y][j];
                    for (int i = 0; i < 4; i++) {
                        double w = wy * xs.weight[x][i];
                        int from = (special + sy * side + xs.index[x][i]) * d;
                        for (int c = 0; c < d; c++) {
                            row[c] += w * in[from + c];
                        }
                    }
                }
                int to = (special + y * grid.cols() + x) * d;
                for (int c = 0; c < d; c++) {
                    out[to + c] = (float) row[c];
                }
            }
        }
        return Nd4j.create(out, new long[] {grid.tokens(), d}, 'c');
    }

    /** For each output index: the four input indices (clamped) and their weights. */
    private record Taps(int[][] index, double[][] weight) {
    }

    private static Taps taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        int[][] index = new int[outSize][4];
        double[][] weight = new double[outSize][];
        for (int o = 0; o < outSize; o++) {
            double real = scale * (o + 0.5) - 0.5;
            int first = (int) Math.floor(real);
            double t = real - first;
            weight[o] = new double[] {far(t + 1), near(t), near(1 - t), far(2 - t)};
            for (int k = 0; k < 4; k++) {
                index[o][k] = Math.min(Math.max(first - 1 + k, 0), inSize - 1);
            }
        }
        return new Taps(index, weight);
    }

    /** |x| ≤ 1. */
    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    /** 1 < |x| < 2. */
    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
