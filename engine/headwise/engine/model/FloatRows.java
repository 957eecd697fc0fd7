package headwise.engine.model;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.IntStream;

/**
 * The forward's element-wise steps (norms, bias, GELU, masked softmax) as plain Java loops over float32 rows.
 * ND4J runs each of these as several generic ops with a pass over memory each, and its broadcasts are slow
 * (measurements: docs/performance.md). Copying the rows onto the heap and back is cheap next to that and lets the
 * JIT vectorise the simple loops.
 * Only dense c-order float32 arrays qualify ({@link #dense}); callers keep ND4J's path for anything else.
 * Sums are taken in double. Rows are split over the available cores when there are enough of them.
 */
final class FloatRows {

    /** Fewer elements than this are not worth a second thread. */
    private static final long PARALLEL_FROM = 1 << 16;
    /** Elements per block copied onto the heap (whole rows, at least one). */
    private static final int BLOCK = 1 << 14;
    private static final int THREADS = ompThreads();
    private static final double INV_ROOT_TWO = 1 / Math.sqrt(2);
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][BLOCK]);
    private static final ThreadLocal<float[]> BITS_SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);
    private static final ThreadLocal<double[][]> WIDE_SCRATCH = ThreadLocal.withInitial(() -> new double[2][BLOCK]);

    private FloatRows() {
    }

    /** Whether {@code x} is float32, c-order and owns exactly its elements, so its memory is one run of floats. */
    static boolean dense(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.ordering() == 'c' && !x.isEmpty() && x.elementWiseStride() == 1
                && x.data().length() == x.length();
    }

    /** A pointer to a dense array's first float (its memory is exactly its elements). */
    static FloatPointer pointer(INDArray x) {
        return new FloatPointer(x.data().addressPointer());
    }

    /** All of a dense array's values (small arrays: weights' vectors, test checks). */
    static float[] read(INDArray x) {
        float[] values = new float[(int) x.length()];
        pointer(x).get(values);
        return values;
    }

    /** The transpose of the c-order [rows, cols] {@code values}, as a c-order [cols, rows] array. */
    static float[] transpose(float[] values, int rows, int cols) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(values.length + " values for " + rows + " × " + cols);
        }
        float[] out = new float[values.length];
        int tile = 64; // a tile of each side fits in L1, so neither the reads nor the writes stride through memory
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    int from = r * cols;
                    for (int c = c0; c < c1; c++) {
                        out[c * rows + r] = values[from + c];
                    }
                }
            }
        }
        return out;
    }

    /** A new float32 array of {@code shape} holding {@code values} (c order), in the current workspace if one is open. */
    static INDArray create(float[] values, long... shape) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape);
        if (out.length() != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape " + java.util.Arrays.toString(shape));
        }
        if (values.length > 0) {
            pointer(out).put(values);
        }
        return out;
    }

    /**
     * The work on a block of whole rows: {@code a} (and {@code b}, for two-input kernels) hold rows
     * [firstRow, firstRow + rows) of the inputs, each {@code cols} wide; results go to {@code out}.
     */
    private interface Block {
        void apply(float[] a, float[] b, float[] out, int firstRow, int rows, int cols);
    }

    /**
     * Runs {@code work} over dense [rows, cols] arrays block by block (out may be a, for in-place kernels; b may be
     * null), on up to {@link #THREADS} threads when there is enough work.
     */
    private static void blocks(INDArray a, INDArray b, INDArray out, int cols, Block work) {
        int rows = (int) (a.length() / cols);
        int parts = a.length() < PARALLEL_FROM ? 1 : Math.min(THREADS, rows);
        if (parts == 1) {
            range(a, b, out, cols, 0, rows, work);
            return;
        }
        int share = (rows + parts - 1) / parts;
        IntStream.range(0, parts).parallel()
                .forEach(p -> range(a, b, out, cols, p * share, Math.min(rows, (p + 1) * share), work));
    }

    private static void range(INDArray a, INDArray b, INDArray out, int cols, int from, int to, Block work) {
        FloatPointer in = pointer(a);
        FloatPointer other = b == null ? null : pointer(b);
        FloatPointer result = pointer(out);
        int perBlock = Math.max(1, BLOCK / cols);
        float[][] scratch = scratch(perBlock * cols);
        for (int row = from; row < to; row += perBlock) {
            int rows = Math.min(perBlock, to - row);
            int n = rows * cols;
            long at = (long) row * cols;
            in.position(at).get(scratch[0], 0, n);
            if (other != null) {
                other.position(at).get(scratch[1], 0, n);
            }
            work.apply(scratch[0], scratch[1], scratch[2], row, rows, cols);
            result.position(at).put(scratch[2], 0, n);
        }
    }

    /** Two double buffers of at least {@code size} for the thread (the double-precision activations). */
    private static double[][] wideScratch(int size) {
        double[][] buffers = WIDE_SCRATCH.get();
        if (buffers[0].length < size) {
            buffers = new double[][] {new double[size], new double[size]};
            WIDE_SCRATCH.set(buffers);
        }
        return buffers;
    }

    private static float[][] scratch(int size) {
        float[][] buffers = SCRATCH.get();
        if (buffers[0].length < size) {
            buffers = new float[][] {new float[size], new float[size], new float[size]};
            SCRATCH.set(buffers);
        }
        return buffers;
    }

    private static int cols(INDArray x) {
        return (int) x.size(x.rank() - 1);
    }

    /** LayerNorm (biased variance) or, with {@code rms}, RMSNorm of each row of x [rows, cols]; bias may be null. */
    static INDArray norm(INDArray x, INDArray gain, INDArray bias, double eps, boolean rms) {
        float[] g = read(gain);
        float[] shift = bias == null ? null : read(bias);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        blocks(x, null, out, cols(x), (in, unused, result, firstRow, rows, cols) -> {
            for (int r = 0; r < rows; r++) {
                int start = r * cols;
                double mean = 0;
                if (!rms) {
                    for (int c = 0; c < cols; c++) {
                        mean += in[start + c];
                    }
                    mean /= cols;
                }
                double squares = 0;
                for (int c = 0; c < cols; c++) {
                    double centered = in[start + c] - mean;
                    squares += centered * centered;
                }
                float m = (float) mean;
                float scale = (float) (1.0 / Math.sqrt(squares / cols + eps));
                if (shift == null) {
                    for (int c = 0; c < cols; c++) {
                        result[start + c] = (in[start + c] - m) * scale * g[c];
                    }
                } else {
                    for (int c = 0; c < cols; c++) {
                        result[start + c] = (in[start + c] - m) * scale * g[c] + shift[c];
                    }
                }
            }
        });
        return out;
    }

    /** y[r, c] += bias[c], in place. */
    static void addRowVectorInPlace(INDArray y, INDArray bias) {
        float[] shift = read(bias);
        blocks(y, null, y, shift.length, (in, unused, result, firstRow, rows, cols) -> {
            for (int start = 0; start < rows * cols; start += cols) {
                for (int c = 0; c < cols; c++) {
                    result[start + c] = in[start + c] + shift[c];
                }
            }
        });
    }

    /** a + b, element by element, as a new array of a's shape (same number of elements). */
    static INDArray sum(INDArray a, INDArray b) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, a.shape());
        blocks(a, b, out, cols(a), (x, y, result, firstRow, rows, cols) -> {
            for (int i = 0; i < rows * cols; i++) {
                result[i] = x[i] + y[i];
            }
        });
        return out;
    }

    /**
     * GPT-2's tanh GELU, 0.5·x·(1 + tanh u) with u = √(2/π)(x + 0.044715x³), written as x / (1 + e^(−2u)), in double
     * ({@link #expInPlace}): with the float {@link #exp} the value norms of the GPT-2 fixture moved from 7.9e-6 to
     * 1.1e-5 of the reference (errors of the MLP activations grow through the layers; the softmax's do not). |x| is
     * capped at 15 inside the exponent, where the factor is already 0 or 1 in float (e^∓265).
     */
    static INDArray geluTanh(INDArray x) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        blocks(x, null, out, cols(x), (in, unused, result, firstRow, rows, cols) -> geluTanhRows(in, null, result, rows * cols));
        return out;
    }

    /** gelu_tanh(gate)·up, a GeGLU MLP's hidden layer (Gemma), as a new array. */
    static INDArray geluTanhTimes(INDArray gate, INDArray up) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, gate.shape());
        blocks(gate, up, out, cols(gate), (g, u, result, firstRow, rows, cols) -> geluTanhRows(g, u, result, rows * cols));
        return out;
    }

    /** result[i] = gelu_tanh(in[i]) (times up[i] unless up is null) for i < n. */
    private static void geluTanhRows(float[] in, float[] up, float[] result, int n) {
        double twoRootTwoOverPi = 2 * Math.sqrt(2 / Math.PI);
        double[][] wide = wideScratch(n);
        double[] e = wide[0];
        for (int i = 0; i < n; i++) { // float → double in a loop of its own, which the JIT vectorises
            e[i] = Math.max(-15f, Math.min(15f, in[i]));
        }
        for (int i = 0; i < n; i++) {
            double v = e[i];
            e[i] = -twoRootTwoOverPi * (v + 0.044715 * v * v * v);
        }
        expInPlace(e, wide[1], n);
        for (int i = 0; i < n; i++) {
            result[i] = (float) (in[i] / (1 + e[i]) * (up == null ? 1 : up[i]));
        }
    }

    /** In place: x becomes cap·tanh(x/cap) (Gemma-2's soft-capping of logits). */
    static void softcapInPlace(INDArray x, double cap) {
        blocks(x, null, x, cols(x), (in, unused, result, firstRow, rows, cols) -> softcap(in, result, cap, 0, rows * cols));
    }

    private static void softcap(float[] in, float[] out, double cap, int from, int to) {
        for (int j = from; j < to; j++) {
            out[j] = (float) (cap * Math.tanh(in[j] / cap));
        }
    }

    /**
     * Exact GELU, 0.5·x·erfc(−x/√2), with {@link #erfc}'s formula in loops the JIT vectorises (the exponential through
     * {@link #expInPlace}), because one Math.exp per element made GPT-NeoX/Pythia, BERT and ViT's MLPs several times
     * slower than GPT-2's tanh GELU (docs/performance.md).
     */
    static INDArray geluErf(INDArray x) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        blocks(x, null, out, cols(x), (in, unused, result, firstRow, rows, cols) -> {
            int n = rows * cols;
            double[][] wide = wideScratch(n);
            double[] e = wide[0];
            for (int i = 0; i < n; i++) { // |x| ≤ 37 keeps −z² above −700 (expInPlace's range); the tail is 0 beyond
                e[i] = Math.abs(Math.max(-37f, Math.min(37f, in[i]))) * INV_ROOT_TWO;
            }
            for (int i = 0; i < n; i++) {
                double z = e[i];
                e[i] = -z * z + erfcPolynomial(1 / (1 + 0.5 * z));
            }
            expInPlace(e, wide[1], n);
            for (int i = 0; i < n; i++) {
                double v = in[i];
                double tail = e[i] / (1 + 0.5 * Math.abs(Math.max(-37f, Math.min(37f, in[i]))) * INV_ROOT_TWO); // erfc(|x|/√2)
                result[i] = (float) (0.5 * v * (v >= 0 ? 2 - tail : tail)); // erfc(−x/√2), the tail kept exact for x < 0
            }
        });
        return out;
    }


    /**
     * silu(gate)·up = gate / (1 + e^−gate) · up, element by element (a gated MLP's activation), with the float
     * {@link #exp}: twice the values per vector of the double one, and within 1e-6 of the fixtures' references (unlike
     * GPT-2's GELU, see {@link #geluTanh}, SiLU's error does not grow through the layers: checked by the Llama
     * fidelity tests). Outside [−87.33, 88.72] the exponential is clamped, where the factor is 0 or 1 in float.
     */
    static INDArray siluTimes(INDArray gate, INDArray up) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, gate.shape());
        blocks(gate, up, out, cols(gate), (g, u, result, firstRow, rows, cols) -> {
            int n = rows * cols;
            exp(g, -1f, 0f, result, bitsScratch(n), 0, n);
            for (int i = 0; i < n; i++) {
                result[i] = g[i] / (1 + result[i]) * u[i];
            }
        });
        return out;
    }

    /** A float scratch of at least {@code size} for the thread: {@link #exp}'s exponent bits. */
    private static float[] bitsScratch(int size) {
        float[] bits = BITS_SCRATCH.get();
        if (bits.length < size) {
            bits = new float[size];
            BITS_SCRATCH.set(bits);
        }
        return bits;
    }

    /**
     * In place: scores [batch, head, queries, keys] become softmax(scale·scores) over the keys each query may see,
     * and 0 elsewhere. With {@code causal}, query i (at position offset + i) sees keys j ≤ offset + i, and with a
     * sliding window only those with offset + i − j < window. What adding −∞ before the softmax gives, without
     * exponentiating the hidden half. With a {@code softcap} > 0 the scaled scores s first become cap·tanh(s/cap)
     * (Gemma-2).
     */
    static void softmaxInPlace(INDArray scores, double scale, double softcap, boolean causal, int offset, int window) {
        softmaxInPlace(scores, scale, softcap, causal, offset, window, null);
    }

    /**
     * The same, where copy b of the batch sees only its first {@code keyLengths[b]} keys (a right-padded batch of
     * prompts of different lengths; null: every key). The padded keys get 0.
     */
    static void softmaxInPlace(INDArray scores, double scale, double softcap, boolean causal, int offset, int window,
                               int[] keyLengths) {
        int queries = (int) scores.size(2);
        int perCopy = (int) scores.size(1) * queries;
        blocks(scores, null, scores, (int) scores.size(3), (in, bits, result, firstRow, rows, keys) -> {
            // bits: the scratch of the absent second input
            for (int r = 0; r < rows; r++) {
                int visible = keyLengths == null ? keys : keyLengths[(firstRow + r) / perCopy];
                maskedSoftmaxRow(in, result, bits, r * keys, keys, offset + (firstRow + r) % queries, visible, scale,
                        softcap, causal, window);
            }
        });
    }

    /**
     * One row of {@link #softmaxInPlace}: the scores in[at, at + width) of the query at {@code position} over keys of
     * which the first {@code visible} exist, into out (may be in; {@code bits}: scratch as long as the row).
     */
    static void maskedSoftmaxRow(float[] in, float[] out, float[] bits, int at, int width, int position, int visible,
                                 double scale, double softcap, boolean causal, int window) {
        int first = causal && window > 0 ? Math.max(0, position - window + 1) : 0;
        int end = Math.min(Math.min(width, visible), causal ? position + 1 : Integer.MAX_VALUE);
        softmaxRow(in, out, bits, at, first, end, width, scale, softcap);
    }

    /**
     * One row of a masked softmax: out[at + j] = softmax(scale·in[at + first … at + end))_j for j in [first, end),
     * and 0 for the other j < width. With a {@code softcap} > 0 the scaled scores s first become cap·tanh(s/cap) (in
     * {@code in}). {@code bits}: scratch as long as the row. out may be in.
     */
    private static void softmaxRow(float[] in, float[] out, float[] bits, int at, int first, int end, int width,
                                   double scale, double softcap) {
        int from = at + first;
        int to = at + Math.max(first, end);
        float factor = softcap > 0 ? 1f : (float) scale;
        if (softcap > 0) {
            scaleInPlace(in, (float) scale, from, to);
            softcap(in, in, softcap, from, to);
        }
        // shifted by the row's maximum: the largest terms, which decide the pattern, get the smallest rounding error
        float max = Float.NEGATIVE_INFINITY;
        for (int j = from; j < to; j++) {
            max = Math.max(max, in[j]);
        }
        exp(in, factor, max, out, bits, from, to);
        double total = total(out, from, to);
        float inverse = (float) (1 / total);
        for (int j = at; j < from; j++) {
            out[j] = 0;
        }
        for (int j = from; j < to; j++) {
            out[j] *= inverse;
        }
        for (int j = to; j < at + width; j++) {
            out[j] = 0;
        }
    }

    private static void scaleInPlace(float[] x, float factor, int from, int to) {
        for (int j = from; j < to; j++) {
            x[j] *= factor;
        }
    }

    /** x[from] + … + x[to − 1] in double, in four independent sums (one chain of additions would bound the loop). */
    private static double total(float[] x, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = from;
        for (; j + 4 <= to; j += 4) {
            s0 += x[j];
            s1 += x[j + 1];
            s2 += x[j + 2];
            s3 += x[j + 3];
        }
        for (; j < to; j++) {
            s0 += x[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * [batch, head, pos, d_head] to a new [batch, pos, head, d_head] (the heads' outputs side by side per position).
     * Whole arrays on the heap: callers use it below {@link #MAX_TRANSPOSE} elements.
     */
    static INDArray headsToPositions(INDArray perHead) {
        int batch = (int) perHead.size(0);
        int heads = (int) perHead.size(1);
        int positions = (int) perHead.size(2);
        int dHead = (int) perHead.size(3);
        float[] in = read(perHead);
        float[] out = new float[in.length];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int p = 0; p < positions; p++) {
                    int from = ((b * heads + h) * positions + p) * dHead;
                    int to = ((b * positions + p) * heads + h) * dHead;
                    System.arraycopy(in, from, out, to, dHead);
                }
            }
        }
        return create(out, batch, positions, heads, dHead);
    }

    /** Largest array {@link #headsToPositions} takes (64 MB of floats twice on the heap would be too much). */
    static final long MAX_TRANSPOSE = 1 << 22;

    /**
     * e^x in float, within 1.5e-7 relative of Math.exp over the float range (checked in FloatRowsTest). Cody–Waite
     * reduction x = k·ln2 + r with ln2 split so that k·ln2hi is exact, e^r by the minimax polynomial of Cephes'
     * expf, then k added to the exponent bits. Clamped to [−87.33, 88.72]: below, 1.2e-38 instead of 0.
     */
    static float exp(float x) {
        float shifted = expShifted(x);
        return expScaled(expReduced(x, shifted), shifted);
    }

    /**
     * out[j] = e^(scale·(x[j] − shift)) for j in [from, to), as {@link #exp} computes it, in two loops the JIT turns
     * into SIMD code: all-float arithmetic first (the exponent k travels in {@code bits}, scratch of x's size), then
     * the exponent put into the bits. One loop doing both stays scalar, two to three times slower, and Math.exp is
     * slower still (docs/performance.md).
     */
    static void exp(float[] x, float scale, float shift, float[] out, float[] bits, int from, int to) {
        for (int j = from; j < to; j++) {
            float y = scale * (x[j] - shift);
            float shifted = expShifted(y);
            out[j] = expReduced(y, shifted);
            bits[j] = shifted;
        }
        for (int j = from; j < to; j++) {
            out[j] = expScaled(out[j], bits[j]);
        }
    }

    /**
     * y[i] = e^y[i] for i < n, within 3e-13 relative of Math.exp for |y| ≤ 708 (callers cap y). The float
     * {@link #exp}'s method in double — Cody–Waite reduction, degree-10 Taylor polynomial on |r| ≤ ln2/2, k added to the
     * exponent bits — in loops the JIT vectorises, about three times faster than Math.exp. {@code bits} is scratch.
     */
    static void expInPlace(double[] y, double[] bits, int n) {
        for (int i = 0; i < n; i++) {
            double shifted = y[i] * 1.4426950408889634 + 6755399441055744.0; // + 1.5·2^52 rounds k into the low bits
            double k = shifted - 6755399441055744.0;
            double r = y[i] - k * 0.6931471803691238 - k * 1.9082149292705877e-10;
            double p = 1.0 / 3628800;
            p = p * r + 1.0 / 362880;
            p = p * r + 1.0 / 40320;
            p = p * r + 1.0 / 5040;
            p = p * r + 1.0 / 720;
            p = p * r + 1.0 / 120;
            p = p * r + 1.0 / 24;
            p = p * r + 1.0 / 6;
            p = p * r + 0.5;
            y[i] = p * r * r + r + 1;
            bits[i] = shifted;
        }
        for (int i = 0; i < n; i++) {
            y[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(y[i]) + (Double.doubleToRawLongBits(bits[i]) << 52));
        }
    }

    /** x/ln2 + 1.5·2^23, x clamped: the float addition rounds k = round(x/ln2) into the low mantissa bits. */
    private static float expShifted(float x) {
        return Math.max(-87.33f, Math.min(88.72f, x)) * 1.442695040888963f + 12582912f;
    }

    /** e^r for r = x − k·ln2, from x and its {@link #expShifted} value. */
    private static float expReduced(float x, float shifted) {
        float k = shifted - 12582912f;
        float r = Math.max(-87.33f, Math.min(88.72f, x)) - k * 0.693145751953125f - k * 1.428606765330187e-6f;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        return p * r * r + r + 1f;
    }

    /** e^r · 2^k: k, in the low bits of {@code shifted}, added to the exponent of e^r. */
    private static float expScaled(float expR, float shifted) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(expR) + (Float.floatToRawIntBits(shifted) << 23));
    }

    /**
     * Complementary error function with fractional error below 1.2e-7 everywhere (the Chebyshev-fitted form in
     * Numerical Recipes, §6.2): good to 1e-7 relative in GELU, where it multiplies x/2.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double tail = t * Math.exp(-z * z + erfcPolynomial(t));
        return x >= 0 ? tail : 2 - tail;
    }

    private static double erfcPolynomial(double t) {
        return -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    }

    /** The threads the forward's own loops use: as many as ND4J and OpenBLAS use (OMP_NUM_THREADS), at most the cores. */
    static int threads() {
        return THREADS;
    }

    private static int ompThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            String omp = System.getenv("OMP_NUM_THREADS");
            return omp == null ? cores : Math.max(1, Math.min(cores, Integer.parseInt(omp.trim())));
        } catch (NumberFormatException e) {
            return cores;
        }
    }
}
