package headwise.engine.model;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The memory of an earlier run's logits, handed back by a caller that has copied them out, kept for the next run of
 * the same size. Fresh native memory is page-faulted in on first write, which for a long input's logits is a
 * noticeable part of the forward (docs/performance.md). At most one buffer is kept, and none over
 * {@link #MAX_BYTES}, so an idle model does not sit on much memory.
 */
final class SpareOutput {

    static final long MAX_BYTES = 256L << 20;

    private final AtomicReference<DataBuffer> kept = new AtomicReference<>();
    /** The memory of the last array {@link #take} gave out: the only memory {@link #keep} accepts. */
    private final AtomicReference<DataBuffer> lent = new AtomicReference<>();

    /** A new [rows, cols] float32 c-order array for a run's output, in the kept memory if it has that size. */
    INDArray take(long rows, long cols) {
        DataBuffer spare = kept.getAndSet(null); // one run at a time gets it
        INDArray out;
        if (spare != null && spare.length() == rows * cols) {
            out = Nd4j.create(spare, new long[] {rows, cols}, new long[] {cols, 1}, 0, 'c');
        } else {
            close(spare);
            out = Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
        }
        lent.set(out.data());
        return out;
    }

    /**
     * Keeps the memory of {@code used}, which nobody reads again, for {@link #take}. Anything but the last array
     * taken (a bare encoder's hidden state, which hooks may hold; an older run's logits) is left alone.
     */
    void keep(INDArray used) {
        DataBuffer view = used.data(); // a reshaped array's buffer is a view of the one taken
        DataBuffer memory = view.originalDataBuffer() != null ? view.originalDataBuffer() : view;
        if (lent.compareAndSet(memory, null) && FloatRows.dense(used) && !memory.isAttached() && memory.closeable()
                && memory.length() * Float.BYTES <= MAX_BYTES) {
            close(kept.getAndSet(memory));
        }
    }

    /** Bytes of native memory kept for the next run. */
    long keptBytes() {
        DataBuffer memory = kept.get();
        return memory == null ? 0 : memory.length() * Float.BYTES;
    }

    private static void close(DataBuffer memory) {
        if (memory != null && !memory.wasClosed()) {
            memory.close();
        }
    }
}
