package headwise.engine.model;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.bytedeco.openblas.global.openblas_nolapack.blas_get_num_threads;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads;

/**
 * OpenBLAS has one thread count for the whole process. Attention that runs a product per head on each of several Java
 * threads sets it to one meanwhile: each product then runs on its caller's thread, side by side with the others, and
 * no OpenBLAS worker spins beside the Java loops between products (docs/performance.md). The count comes back when the
 * last such run ends; a product of another thread meanwhile runs on one thread, slower but the same.
 */
final class BlasThreads {

    private static int runs;
    private static int saved;

    private BlasThreads() {
    }

    /** What {@link #onePerCall} returns: closing it gives the count back. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** One OpenBLAS thread per call until the scope closes; {@code wanted} false: nothing changes. */
    static Scope onePerCall(boolean wanted) {
        if (!wanted) {
            return () -> { };
        }
        enter();
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.getAndSet(false)) {
                leave();
            }
        };
    }

    private static synchronized void enter() {
        if (runs++ == 0) {
            saved = blas_get_num_threads();
            blas_set_num_threads(1);
        }
    }

    private static synchronized void leave() {
        if (--runs == 0) {
            blas_set_num_threads(saved);
        }
    }

    /** OpenBLAS's thread count now (for tests). */
    static int current() {
        return blas_get_num_threads();
    }
}
