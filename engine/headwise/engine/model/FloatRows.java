package headwise.engine.model;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.IntStream;

/**
 * The forward's element-wise steps (norms, bias, GELU, masked softmax) as plain Java loops over float32 rows.
 * ND4J runs each of these as several generic ops with a pass over memory each, and its broadcasts are slow here:
 * a LayerNorm of 128×768 took 3.1 ms against PyTorch's 0.05 ms, a masked softmax of 12×128×128 2.8 ms, a bias add
 * 0.4 ms. Copying the rows onto the heap and back costs microseconds and lets the JIT vectorise the simple loops.
 * Only dense c-order float32 arrays qualify ({@link #dense}); callers keep ND4J's path for anything else.
 * Sums are taken in double. Rows are split over the available cores when there are enough of them.
 */
final class FloatRows {

    /** Fewer elements than this are not worth a second thread. */
    private static final long PARALLEL_FROM = 1 << 15;
    private static final int THREADS = threads();

    private FloatRows() {
    }

    /** Whether {@code x} is float32, c-order and owns exactly its elements, so its memory is one run of floats. */
    static boolean dense(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.ordering() == 'c' && !x.isEmpty() && x.elementWiseStride() == 1
                && x.data().length() == x.length();
    }

    static float[] read(INDArray x) {
        float[] values = new float[(int) x.length()];
        new FloatPointer(x.data().addressPointer()).get(values);
        return values;
    }

    private static void write(float[] values, INDArray x) {
        new FloatPointer(x.data().addressPointer()).put(values);
    }

    /** A new [rows, cols] array holding {@code values}, in the current workspace if one is open. */
    private static INDArray create(float[] values, long... shape) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape);
        write(values, out);
        return out;
    }

    /** LayerNorm (biased variance) or, with {@code rms}, RMSNorm of each row of x [rows, cols]; bias may be null. */
    static INDArray norm(INDArray x, INDArray gain, INDArray bias, double eps, boolean rms) {
        int cols = (int) x.size(x.rank() - 1);
        int rows = (int) (x.length() / cols);
        float[] in = read(x);
        float[] g = read(gain);
        float[] b = bias == null ? null : read(bias);
        float[] out = new float[in.length];
        forRows(rows, (long) rows * cols, row -> {
            int start = row * cols;
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
            for (int c = 0; c < cols; c++) {
                out[start + c] = (in[start + c] - m) * scale * g[c];
            }
            if (b != null) {
                for (int c = 0; c < cols; c++) {
                    out[start + c] += b[c];
                }
            }
        });
        return create(out, x.shape());
    }

    /** y[r, c] += bias[c], in place. */
    static void addRowVectorInPlace(INDArray y, INDArray bias) {
        float[] values = read(y);
        float[] b = read(bias);
        int cols = b.length;
        for (int start = 0; start < values.length; start += cols) {
            for (int c = 0; c < cols; c++) {
                values[start + c] += b[c];
            }
        }
        write(values, y);
    }

    /** a + b, element by element, as a new array of a's shape (same number of elements). */
    static INDArray sum(INDArray a, INDArray b) {
        float[] values = read(a);
        float[] other = read(b);
        for (int i = 0; i < values.length; i++) {
            values[i] += other[i];
        }
        return create(values, a.shape());
    }

    /** [batch, head, pos, d_head] to a new [batch, pos, head, d_head] (the heads' outputs side by side per position). */
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

    /** GPT-2's tanh GELU, 0.5·x·(1 + tanh u) with u = √(2/π)(x + 0.044715x³), written as x / (1 + e^(−2u)). */
    static INDArray geluTanh(INDArray x) {
        double twoRootTwoOverPi = 2 * Math.sqrt(2 / Math.PI);
        return map(x, v -> {
            double u = twoRootTwoOverPi * (v + 0.044715 * v * v * v);
            return (float) (v / (1 + Math.exp(-u)));
        });
    }

    /** Exact GELU, 0.5·x·erfc(−x/√2). */
    static INDArray geluErf(INDArray x) {
        double invRootTwo = 1 / Math.sqrt(2);
        return map(x, v -> (float) (0.5 * v * erfc(-v * invRootTwo)));
    }

    /** silu(x)·other, element by element (a gated MLP's activation times its up projection). */
    static INDArray siluTimes(INDArray x, INDArray other) {
        float[] in = read(x);
        float[] by = read(other);
        float[] out = new float[in.length];
        forChunks(in.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = in[i];
                out[i] = (float) (v / (1 + Math.exp(-v)) * by[i]);
            }
        });
        return create(out, x.shape());
    }

    /**
     * In place: scores [batch, head, queries, keys] become softmax(scale·scores) over the keys each query may see,
     * and 0 elsewhere. With {@code causal}, query i (at position offset + i) sees keys j ≤ offset + i, and with a
     * sliding window only those with offset + i − j < window. What adding −∞ before the softmax gives, without
     * exponentiating the hidden half.
     */
    static void softmaxInPlace(INDArray scores, double scale, boolean causal, int offset, int window) {
        int keys = (int) scores.size(3);
        int queries = (int) scores.size(2);
        int rows = (int) (scores.length() / keys);
        float[] values = read(scores);
        forRows(rows, scores.length(), row -> {
            int start = row * keys;
            int position = offset + row % queries;
            int first = causal && window > 0 ? Math.max(0, position - window + 1) : 0;
            int end = causal ? Math.min(keys, position + 1) : keys;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = first; j < end; j++) {
                max = Math.max(max, values[start + j]);
            }
            double sum = 0;
            for (int j = first; j < end; j++) {
                double e = Math.exp(scale * (values[start + j] - max));
                values[start + j] = (float) e;
                sum += e;
            }
            float inverse = (float) (1 / sum);
            for (int j = 0; j < first; j++) {
                values[start + j] = 0;
            }
            for (int j = first; j < end; j++) {
                values[start + j] *= inverse;
            }
            for (int j = end; j < keys; j++) {
                values[start + j] = 0;
            }
        });
        write(values, scores);
    }

    /**
     * Complementary error function with fractional error below 1.2e-7 everywhere (the Chebyshev-fitted form in
     * Numerical Recipes, §6.2): good to 1e-7 relative in GELU, where it multiplies x/2.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double tail = t * Math.exp(-z * z + poly);
        return x >= 0 ? tail : 2 - tail;
    }

    private interface FloatFunction {
        float apply(float v);
    }

    private static INDArray map(INDArray x, FloatFunction f) {
        float[] in = read(x);
        float[] out = new float[in.length];
        forChunks(in.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = f.apply(in[i]);
            }
        });
        return create(out, x.shape());
    }

    private interface Range {
        void run(int from, int to);
    }

    private static void forChunks(int length, Range body) {
        if (length < PARALLEL_FROM || THREADS == 1) {
            body.run(0, length);
            return;
        }
        int chunk = (length + THREADS - 1) / THREADS;
        IntStream.range(0, THREADS).parallel().forEach(t -> body.run(t * chunk, Math.min(length, (t + 1) * chunk)));
    }

    private static void forRows(int rows, long elements, java.util.function.IntConsumer row) {
        if (elements < PARALLEL_FROM || THREADS == 1 || rows == 1) {
            for (int r = 0; r < rows; r++) {
                row.accept(r);
            }
            return;
        }
        int chunk = (rows + THREADS - 1) / THREADS;
        IntStream.range(0, THREADS).parallel().forEach(t -> {
            for (int r = t * chunk; r < Math.min(rows, (t + 1) * chunk); r++) {
                row.accept(r);
            }
        });
    }

    /** As many threads as ND4J and OpenBLAS use (OMP_NUM_THREADS), at most the cores there are. */
    private static int threads() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            String omp = System.getenv("OMP_NUM_THREADS");
            return omp == null ? cores : Math.max(1, Math.min(cores, Integer.parseInt(omp.trim())));
        } catch (NumberFormatException e) {
            return cores;
        }
    }
}
