package headwise.engine.run;

import headwise.engine.HeadwiseException;
import headwise.engine.io.TensorSource;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import org.bytedeco.javacpp.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Estimates a full-capture run's memory before it starts: the captured attention lives on the Java heap (float32,
 * float16 when float32 does not fit, and when neither does only each layer's queries and keys, the patterns being
 * recomputed per head when read), the forward's temporaries off-heap, one layer at a time. A run that cannot fit is
 * refused with the length that would. ForwardOptions.attentionStorage narrows the choice to one precision.
 */
public final class MemoryBudget {

    /** What a run needs: Java heap for the captured attention and output, native memory for the forward. */
    public record Estimate(long heapBytes, long nativeBytes) {
    }

    private MemoryBudget() {
    }

    /**
     * What a run of {@code length} tokens needs beyond the loaded weights (already resident when a run is checked, so
     * the free memory it is compared with excludes them; {@link #checkWeights} bounds them before loading). Saturates
     * at Long.MAX_VALUE instead of overflowing, so an absurd config or length is refused, never waved through.
     */
    public static Estimate estimate(ModelSpec spec, int length, AttentionMaps.Precision precision) {
        return estimate(spec, length, precision, ForwardOptions.defaults());
    }

    private static Estimate estimate(ModelSpec spec, int length, AttentionMaps.Precision precision, ForwardOptions options) {
        long t = length;
        long headMatrix = product(t, t, 4);
        long attention = precision == AttentionMaps.Precision.RECOMPUTE
                // stored q and k, the recently read heads, and one head being recomputed (plus its copy)
                ? sum(RecomputedHeads.bytes(spec, length), Math.max(RecomputedHeads.CACHE_BYTES, headMatrix), product(2, headMatrix))
                : AttentionMaps.bytes(spec.layers(), spec.heads(), length, precision);
        long output = product(t, spec.outputWidth(), 4);
        // scores, mask, softmax, one dense copy of whole [heads, T, T] tensors; inputs past maxWholeScores attend a block
        // of queries of one head per thread (QueryBlockAttention), unless the maps are stored: those are captured from
        // whole patterns (Analyzer raises the limit)
        long wholeScores = product(spec.heads(), t, t);
        long attentionWork = precision == AttentionMaps.Precision.RECOMPUTE && wholeScores > options.maxWholeScores()
                ? product(Runtime.getRuntime().availableProcessors(), options.queryBlock(), t, 4)
                : product(wholeScores, 4, 4);
        long activations = product(t, Math.max(spec.dMlp(), 3L * spec.dModel()), 4, 6);
        long recomputeWork = precision == AttentionMaps.Precision.RECOMPUTE ? headMatrix : 0;
        return new Estimate(sum(attention, product(2, output)), sum(attentionWork, activations, product(2, output), recomputeWork));
    }

    /**
     * Refuses a checkpoint whose weights cannot fit, before any is read: they are decoded to float32 one tensor at a
     * time on the Java heap and kept in native memory, so the largest tensor must fit the free heap and all of
     * them the free native memory. Shapes were already checked against the file's size by the reader.
     */
    public static void checkWeights(TensorSource tensors) {
        long total = 0;
        long largest = 0;
        for (String name : tensors.names()) {
            long bytes = product(product(tensors.shape(name)), 4);
            total = sum(total, bytes);
            largest = Math.max(largest, bytes);
        }
        checkWeights(tensors.location(), total, largest);
    }

    /** @param totalBytes all weights as float32; {@code largestBytes} the largest single tensor */
    public static void checkWeights(Path where, long totalBytes, long largestBytes) {
        long heap = freeHeapBytes();
        long nativeFree = freeNativeBytes();
        if (largestBytes > heap || totalBytes > nativeFree) {
            System.gc();
            heap = freeHeapBytes();
            nativeFree = freeNativeBytes();
        }
        if (totalBytes > nativeFree) {
            throw HeadwiseException.inFile(where, "the weights need about " + mib(totalBytes) + " MiB of memory as float32, but only "
                    + mib(nativeFree) + " MiB are free");
        }
        if (largestBytes > heap) {
            throw HeadwiseException.inFile(where, "the largest weight tensor needs " + mib(largestBytes) + " MiB of Java heap to load, but only "
                    + mib(heap) + " MiB are free (a larger -Xmx helps)");
        }
    }

    /** The product of non-negative factors, or Long.MAX_VALUE when it does not fit a long. */
    static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            try {
                p = Math.multiplyExact(p, f);
            } catch (ArithmeticException overflow) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }

    private static long sum(long... terms) {
        long s = 0;
        for (long term : terms) {
            s = term > Long.MAX_VALUE - s ? Long.MAX_VALUE : s + term;
        }
        return s;
    }

    /**
     * Chooses the attention precision for a run of {@code length} tokens with {@code options} (the model's:
     * {@code transformer.options()}), or refuses it with what would fit.
     */
    public static AttentionMaps.Precision check(ModelSpec spec, int length, ForwardOptions options) {
        long heap = freeHeapBytes();
        long nativeFree = freeNativeBytes();
        AttentionMaps.Precision[] candidates = switch (options.attentionStorage()) {
            case F32 -> new AttentionMaps.Precision[] {AttentionMaps.Precision.F32};
            case F16 -> new AttentionMaps.Precision[] {AttentionMaps.Precision.F16};
            case RECOMPUTE -> new AttentionMaps.Precision[] {AttentionMaps.Precision.RECOMPUTE};
            case AUTO -> AttentionMaps.Precision.values();
        };
        for (AttentionMaps.Precision precision : candidates) {
            if (fits(estimate(spec, length, precision, options), heap, nativeFree)) {
                return precision;
            }
        }
        System.gc(); // the heap may hold a previous run's maps that nothing references any more
        heap = freeHeapBytes();
        nativeFree = freeNativeBytes();
        for (AttentionMaps.Precision precision : candidates) {
            if (fits(estimate(spec, length, precision, options), heap, nativeFree)) {
                return precision;
            }
        }
        AttentionMaps.Precision smallest = candidates[candidates.length - 1];
        Estimate need = estimate(spec, length, smallest, options);
        int fits = length;
        while (fits > 1 && !fits(estimate(spec, fits, smallest, options), heap, nativeFree)) {
            fits = fits * 9 / 10;
        }
        throw new HeadwiseException("input of " + length + " tokens needs about " + mib(need.heapBytes())
                + " MiB of Java heap for its attention (" + smallest + ") and " + mib(need.nativeBytes()) + " MiB of native memory, but only "
                + mib(heap) + " and " + mib(nativeFree) + " MiB are free; at most about " + fits + " tokens fit (a larger -Xmx raises the first)");
    }

    /**
     * Native memory a gradient pass (SameDiff forward and backward: gradient importance, relevance maps) keeps for
     * {@code length} tokens: every layer's attention intermediates and their gradients (about 56 floats per score,
     * for scores, softmax, rule copies and gradients) and its activations (about 32 floats per token and MLP width).
     * Fitted to GPT-2-small's measured peaks (5.1, 7.2 and 14.4 GB at 128, 256 and 512 tokens, weights included).
     */
    public static long gradientPassBytes(ModelSpec spec, int length) {
        long t = length;
        long scores = product(spec.layers(), spec.heads(), product(t, t, 224));
        long activations = product(spec.layers(), t, product(Math.max(spec.dMlp(), 3L * spec.dModel()), 128));
        return sum(scores, activations);
    }

    /** Refuses a gradient pass of {@code length} tokens that cannot fit the free native memory, with what would. */
    public static void checkGradientPass(ModelSpec spec, int length, String what) {
        long nativeFree = freeNativeBytes();
        if (gradientPassBytes(spec, length) <= nativeFree) {
            return;
        }
        int fits = length;
        while (fits > 1 && gradientPassBytes(spec, fits) > nativeFree) {
            fits = fits * 9 / 10;
        }
        throw new HeadwiseException(what + " of " + length + " tokens needs about " + mib(gradientPassBytes(spec, length))
                + " MiB of native memory for its backward pass, but only " + mib(nativeFree) + " MiB are free; at most about "
                + fits + " tokens fit");
    }

    /** Refuses a job ({@code what}, e.g. "head ablation of 512 tokens") that needs more native memory than is free. */
    public static void checkNative(long bytes, String what) {
        if (bytes <= freeNativeBytes()) {
            return;
        }
        System.gc(); // a previous run's arrays that nothing references any more
        long nativeFree = freeNativeBytes();
        if (bytes > nativeFree) {
            throw new HeadwiseException(what + " needs about " + mib(bytes) + " MiB of native memory, but only "
                    + mib(nativeFree) + " MiB are free");
        }
    }

    /** Refuses a job ({@code what}) that needs more Java heap than is free, naming both sizes and -Xmx. */
    public static void checkHeap(long bytes, String what) {
        if (bytes <= freeHeapBytes()) {
            return;
        }
        System.gc(); // a previous run's arrays that nothing references any more
        long heapFree = freeHeapBytes();
        if (bytes > heapFree) {
            throw new HeadwiseException(what + " needs about " + mib(bytes) + " MiB of Java heap, but only "
                    + mib(heapFree) + " MiB are free (a larger -Xmx gives more)");
        }
    }

    private static boolean fits(Estimate need, long heap, long nativeFree) {
        return need.heapBytes() <= heap && need.nativeBytes() <= nativeFree;
    }

    /** Heap the run may still take: the maximum minus what live objects use now. */
    public static long freeHeapBytes() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    }

    /** Native memory: JavaCPP's limit when one is set, and never more than the machine has available. */
    static long freeNativeBytes() {
        long available = availableSystemBytes();
        long max = Pointer.maxPhysicalBytes();
        if (max > 0) {
            available = Math.min(available, max - Pointer.physicalBytes());
        }
        return available;
    }

    private static long availableSystemBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through to the JVM's own view
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
