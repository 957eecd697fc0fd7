package headwise.engine.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The numerics the forward needs, written out because ND4J's own LayerNorm and GELU differ from the
 * reference (see ND4J-PITFALLS.md). Every method returns a new array unless its name ends in InPlace.
 * Inputs are 2-D [rows, channels].
 */
public final class Ops {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    static final int ROW_MAJOR = 101; // CBLAS's enum values
    static final int NO_TRANS = 111;
    static final int TRANS = 112;

    private Ops() {
    }

    /** x·W + b for x [rows, in], W [in, out], b [out] or null. */
    public static INDArray linear(INDArray x, ModelWeights.Linear layer) {
        return plusBias(matmul(x, layer.weight()), layer);
    }

    /** x·W + b written into {@code out} [rows, out] of x's type, which it returns. */
    static INDArray linear(INDArray x, ModelWeights.Linear layer, INDArray out) {
        return plusBias(matmul(x, layer.weight(), out), layer);
    }

    private static INDArray plusBias(INDArray y, ModelWeights.Linear layer) {
        if (layer.bias() != null) {
            if (FloatRows.dense(y) && FloatRows.dense(layer.bias())) {
                FloatRows.addRowVectorInPlace(y, layer.bias());
            } else {
                y.addiRowVector(layer.bias());
            }
        }
        return y;
    }

    /**
     * x·W for 2-D x and W into a new c-order array. Calls GEMM directly: INDArray.mmul allocates an f-order result
     * and copies it, two to three times slower in all (docs/performance.md). A transposed weight view
     * (a tied unembedding) is passed as GEMM's transpose flag instead of being copied.
     */
    public static INDArray matmul(INDArray x, INDArray w) {
        if (x.rank() != 2 || w.rank() != 2 || x.dataType() != w.dataType()) {
            return x.mmul(w);
        }
        return matmul(x, w, Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(1)));
    }

    private static INDArray matmul(INDArray x, INDArray w, INDArray y) {
        if (x.rank() != 2 || w.rank() != 2 || x.dataType() != w.dataType() || y.dataType() != x.dataType()) {
            return y.assign(x.mmul(w)); // not seen in a forward; kept correct
        }
        INDArray a = x.ordering() == 'c' && x.elementWiseStride() == 1 ? x : x.dup('c');
        boolean transposed = w.ordering() == 'f';
        INDArray b = transposed ? w.transpose() : w;
        if (b.ordering() != 'c' || b.elementWiseStride() != 1) {
            b = w.dup('c');
            transposed = false;
        }
        if (FloatRows.dense(a) && FloatRows.dense(b) && FloatRows.dense(y)) {
            // straight to OpenBLAS: ND4J's gemm goes through its matmul op, 2-3% slower at a 1.1B model's shapes
            int m = (int) a.size(0);
            int k = (int) a.size(1);
            int n = (int) y.size(1);
            cblas_sgemm(ROW_MAJOR, NO_TRANS, transposed ? TRANS : NO_TRANS, m, n, k, 1f, FloatRows.pointer(a), k,
                    FloatRows.pointer(b), transposed ? k : n, 0f, FloatRows.pointer(y), n);
        } else {
            Nd4j.gemm(a, b, y, false, transposed, 1.0, 0.0);
        }
        if (a != x) {
            a.close();
        }
        return y;
    }

    /** x's values in c order as a float array: one copy for dense float32 arrays, else through a dense copy. */
    public static float[] floats(INDArray x) {
        if (FloatRows.dense(x)) {
            return FloatRows.read(x);
        }
        INDArray dense = x.dup('c');
        INDArray asFloat = dense.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT ? dense
                : dense.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        float[] values = asFloat.data().asFloat();
        for (INDArray temporary : new INDArray[] {dense, asFloat}) {
            if (temporary.closeable() && !temporary.wasClosed()) {
                temporary.close(); // native memory back now, not at the next GC (long inputs' q and k are large)
            }
        }
        return values;
    }

    /**
     * A new float32 array of {@code shape} holding {@code values} (c order), copied in one block: Nd4j.create(float[])
     * copied element by element and was most of a model's load time.
     */
    public static INDArray fromFloats(float[] values, long... shape) {
        return FloatRows.create(values, shape);
    }

    /**
     * A new float32 [cols, rows] array holding the transpose of the c-order [rows, cols] {@code values}: transposed on
     * the heap, in tiles, before the one copy into native memory, where ND4J's transpose().dup('c') would allocate a
     * second native array and copy it element by element with strides (most of a large checkpoint's load).
     */
    public static INDArray transposedFromFloats(float[] values, int rows, int cols) {
        return FloatRows.create(FloatRows.transpose(values, rows, cols), cols, rows);
    }

    /**
     * In place: scores [batch, head, queries, keys] (float32, dense) become softmax(scale·scores) over the keys each
     * query may see (causal: keys up to offset + query; a sliding window: the last {@code window} of them) and 0
     * elsewhere; with {@code softcap} > 0 the scaled scores s are first soft-capped to softcap·tanh(s/softcap).
     */
    public static void maskedSoftmaxInPlace(INDArray scores, double scale, double softcap, boolean causal, int offset,
                                            int window) {
        if (!FloatRows.dense(scores) || scores.rank() != 4) {
            throw new IllegalArgumentException("scores must be a dense float32 [batch, head, queries, keys] array");
        }
        FloatRows.softmaxInPlace(scores, scale, softcap, causal, offset, window);
    }

    /** In place: x becomes cap·tanh(x/cap), final-logit soft-capping (Gemma-2). */
    public static void softcapInPlace(INDArray x, double cap) {
        if (FloatRows.dense(x)) {
            FloatRows.softcapInPlace(x, cap);
        } else {
            x.assign(Transforms.tanh(x.div(cap), false).muli(cap));
        }
    }

    /** a + b as a new array of a's shape (b has a's elements in the same order, e.g. a reshaped view of it). */
    public static INDArray add(INDArray a, INDArray b) {
        if (FloatRows.dense(a) && FloatRows.dense(b) && a.length() == b.length()) {
            return FloatRows.sum(a, b);
        }
        return a.add(b.reshape(a.shape()));
    }

    /** (x − mean) / sqrt(var + eps) · gain + bias per row, biased variance. */
    public static INDArray layerNorm(INDArray x, ModelWeights.NormWeights norm, double eps) {
        if (rowKernelsApply(x, norm)) {
            return FloatRows.norm(x, norm.gain(), norm.bias(), eps, false);
        }
        INDArray centered = x.subColumnVector(x.mean(true, 1));
        INDArray variance = centered.mul(centered).mean(true, 1);
        INDArray invStd = Transforms.pow(variance.addi(eps), -0.5, false);
        INDArray y = centered.muliColumnVector(invStd).muliRowVector(norm.gain());
        if (norm.bias() != null) {
            y.addiRowVector(norm.bias());
        }
        return y;
    }

    /** x / sqrt(mean(x²) + eps) · gain per row. */
    public static INDArray rmsNorm(INDArray x, ModelWeights.NormWeights norm, double eps) {
        if (rowKernelsApply(x, norm)) {
            return FloatRows.norm(x, norm.gain(), null, eps, true);
        }
        INDArray meanSquare = x.mul(x).mean(true, 1);
        INDArray invRms = Transforms.pow(meanSquare.addi(eps), -0.5, false);
        return x.mulColumnVector(invRms).muliRowVector(norm.gain());
    }

    /** Exact GELU: 0.5·x·(1 + erf(x/√2)). */
    public static INDArray geluErf(INDArray x) {
        if (FloatRows.dense(x)) {
            return FloatRows.geluErf(x);
        }
        INDArray t = x.mul(INV_SQRT_2);
        Nd4j.math().erf(t); // overwrites t
        return t.addi(1.0).muli(x).muli(0.5);
    }

    /**
     * GPT-2's "gelu_new": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as x·sigmoid(2·√(2/π)·(…)), the
     * same function (1 + tanh u = 2·sigmoid 2u) in fewer passes, and ND4J's sigmoid is faster than its tanh.
     */
    public static INDArray geluTanh(INDArray x) {
        if (FloatRows.dense(x)) {
            return FloatRows.geluTanh(x);
        }
        INDArray inner = x.mul(x).muli(x).muli(0.044715).addi(x).muli(2 * SQRT_2_OVER_PI);
        return Transforms.sigmoid(inner, false).muli(x);
    }

    /** CLIP's quick GELU: x·sigmoid(1.702·x), as a new array. */
    public static INDArray geluQuick(INDArray x) {
        return Transforms.sigmoid(x.mul(1.702), false).muli(x);
    }

    public static INDArray relu(INDArray x) {
        return Transforms.relu(x, true);
    }

    /** gelu_tanh(gate)·up, a GeGLU MLP's hidden layer (Gemma), as a new array. */
    public static INDArray geluTanhTimes(INDArray gate, INDArray up) {
        if (FloatRows.dense(gate) && FloatRows.dense(up) && gate.equalShapes(up)) {
            return FloatRows.geluTanhTimes(gate, up);
        }
        return geluTanh(gate).muli(up);
    }

    /** silu(gate)·up, a gated MLP's hidden layer, as a new array. */
    public static INDArray siluTimes(INDArray gate, INDArray up) {
        if (FloatRows.dense(gate) && FloatRows.dense(up) && gate.equalShapes(up)) {
            return FloatRows.siluTimes(gate, up);
        }
        return silu(gate).muli(up);
    }

    /** silu(x) = x·sigmoid(x). */
    public static INDArray silu(INDArray x) {
        return Transforms.sigmoid(x, true).muli(x);
    }

    private static boolean rowKernelsApply(INDArray x, ModelWeights.NormWeights norm) {
        return x.rank() == 2 && FloatRows.dense(x) && FloatRows.dense(norm.gain()) && norm.gain().length() == x.size(1)
                && (norm.bias() == null || FloatRows.dense(norm.bias()));
    }
}
