package headwise.engine.bench;

import headwise.engine.model.Ops;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The float32 GEMM rate this machine reaches through the same call the forward makes ({@link Ops#matmul}). */
public final class GemmRate {

    private GemmRate() {
    }

    /** GFLOP/s of the best of {@code repeat} products [m, k]·[k, n], after two warm-ups. */
    public static double gflops(int m, int k, int n, int repeat) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        double best = Double.MAX_VALUE;
        for (int r = -2; r < repeat; r++) {
            long start = System.nanoTime();
            Ops.matmul(a, b).close();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (r >= 0) {
                best = Math.min(best, seconds);
            }
        }
        a.close();
        b.close();
        return 2.0 * m * k * n / best / 1e9;
    }
}
