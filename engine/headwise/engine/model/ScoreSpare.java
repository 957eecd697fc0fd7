package headwise.engine.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * One thread's spare attention-score buffer, handed from one layer to the next of a run too large for
 * {@link BlockArena}. Such a run used to free each layer's [batch, heads, T, T] scores and allocate the next layer's
 * afresh, and fresh native memory is page-faulted in at about 1 ms per MB (docs/performance.md): 537 MB a layer for a
 * 32-head model at 2,048 tokens. A buffer goes back here only where it would have been freed (no hook kept it), and
 * the spare is freed when the run ends, so an idle thread holds nothing.
 */
final class ScoreSpare {

    private static final ThreadLocal<INDArray> SPARE = new ThreadLocal<>();
    /** The last buffer {@link #take} handed out: only such buffers come back as spares (others are freed as before). */
    private static final ThreadLocal<INDArray> HANDED_OUT = new ThreadLocal<>();

    private ScoreSpare() {
    }

    /** An uninitialised float32 array of {@code shape}: the spare when it has that shape, else a new one. */
    static INDArray take(long... shape) {
        INDArray spare = SPARE.get();
        INDArray out;
        if (spare != null && outsideWorkspaces() && Arrays.equals(spare.shape(), shape)) {
            SPARE.remove();
            out = spare;
        } else {
            out = Nd4j.createUninitialized(DataType.FLOAT, shape);
        }
        HANDED_OUT.set(out);
        return out;
    }

    /**
     * A temporary nobody reads any more: kept as the spare where it is the buffer {@link #take} handed out last,
     * else freed now (so no other path holds more memory than before).
     */
    static void giveBack(INDArray temporary) {
        if (!temporary.closeable()) {
            return;
        }
        boolean reusable = temporary == HANDED_OUT.get() && outsideWorkspaces() && !temporary.isAttached()
                && !temporary.isView() && temporary.dataType() == DataType.FLOAT && temporary.ordering() == 'c';
        HANDED_OUT.remove();
        if (!reusable) {
            temporary.close();
            return;
        }
        release();
        SPARE.set(temporary);
    }

    /** Frees the thread's spare (end of a run). */
    static void release() {
        INDArray spare = SPARE.get();
        SPARE.remove();
        HANDED_OUT.remove();
        if (spare != null && spare.closeable()) {
            spare.close();
        }
    }

    /** Whether this thread holds a spare now (tests: none once a run has ended). */
    static boolean holding() {
        return SPARE.get() != null;
    }

    private static boolean outsideWorkspaces() {
        return !Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread();
    }
}
