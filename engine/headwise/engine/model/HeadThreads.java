package headwise.engine.model;

import java.util.stream.IntStream;

/**
 * Splits a layer's (copy, head) pairs over the forward's threads, each taking whole heads, with one OpenBLAS thread
 * per call meanwhile ({@link BlasThreads}): a head's products and its softmax then run one after the other on one
 * thread, while its scores are in that core's cache, and no step waits for the other thread. Long inputs only (the
 * query-block path): after the projections' threaded GEMMs OpenBLAS's worker spins for about 0.1 s, and on two cores
 * that spin halves the speed of a short attention split this way (docs/performance.md, "Attention, a head per thread").
 */
final class HeadThreads {

    private HeadThreads() {
    }

    /** The pairs [fromPair, toPair) of one thread. */
    interface Share {
        void run(int fromPair, int toPair);
    }

    /** Runs {@code share} over [0, pairs) in contiguous parts, one per thread, and returns when every part is done. */
    static void split(int pairs, Share share) {
        int parts = Math.min(FloatRows.threads(), pairs);
        if (parts <= 1) {
            share.run(0, pairs);
            return;
        }
        try (BlasThreads.Scope oneEach = BlasThreads.onePerCall(true)) {
            IntStream.range(0, parts).parallel().forEach(part -> share.run(part * pairs / parts, (part + 1) * pairs / parts));
        }
    }
}
