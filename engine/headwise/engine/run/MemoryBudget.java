package headwise.engine.run;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import org.bytedeco.javacpp.Pointer;

/** Estimates a full-capture run's memory before it starts, and refuses one that cannot fit. */
public final class MemoryBudget {

    private MemoryBudget() {
    }

    /** Bytes a run with every attention pattern captured needs beyond the weights (F32 everywhere). */
    public static long estimateBytes(ModelSpec spec, int length) {
        long t = length;
        long attentionCapture = (long) spec.layers() * spec.heads() * t * t * 4 * 2; // off-heap + Java copy
        long attentionWork = (long) spec.heads() * t * t * 4 * 3;                    // scores, softmax, one spare
        long activations = t * (Math.max(spec.dMlp(), 3L * spec.dModel())) * 4 * 6;
        long output = t * spec.outputWidth() * 4L * 3;
        return attentionCapture + attentionWork + activations + output;
    }

    public static void check(ModelSpec spec, int length) {
        long need = estimateBytes(spec, length);
        long limit = Pointer.maxPhysicalBytes() > 0 ? Pointer.maxPhysicalBytes() : Runtime.getRuntime().maxMemory() * 4;
        long available = limit - Pointer.physicalBytes();
        if (need > available) {
            int fits = length;
            while (fits > 1 && estimateBytes(spec, fits) > available) {
                fits = fits * 9 / 10;
            }
            throw new HeadwiseException("input of " + length + " tokens needs about " + mib(need) + " MiB, but only "
                    + mib(available) + " MiB are free; at most about " + fits + " tokens fit");
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
