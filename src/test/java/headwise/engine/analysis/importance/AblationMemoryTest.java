package headwise.engine.analysis.importance;

import headwise.engine.bench.RandomGpt2;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.Transformer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ablation's memory estimate covers what the run really allocates: on a GPT-2 with GPT-2's vocabulary (so the
 * output rows, kept in float64 for scoring, are most of it) the native memory measured during the run (resident size
 * less the Java heap, sampled every millisecond) never rises above the estimate over its level before the run.
 * ND4J's CPU buffers are not counted by JavaCPP's Pointer.totalBytes nor by ND4J's AllocationsTracker (both stay 0),
 * so the process's resident size is what is measured.
 */
class AblationMemoryTest {

    @Test
    void theEstimateCoversTheMeasuredPeakInEveryScope() throws Exception {
        try (LoadedModel model = RandomGpt2.load(RandomGpt2.spec(2, 4))) {
            Transformer t = model.transformer();
            int[] ids = new Random(3).ints(128, 0, model.spec().vocabSize()).toArray();
            for (AblationImportance.Scope scope : AblationImportance.Scope.values()) {
                AblationImportance.Options options = AblationImportance.Options.defaults().withScope(scope)
                        .withMemoryBudget(AblationImportance.memory(t, ids.length, scope).fixedBytes() + (64L << 20));
                AblationImportance.compute(t, ids, Interventions.Ablation.ZERO, options); // warm: JIT, ND4J's caches, the arena
                long estimate = AblationImportance.memory(t, ids.length, scope).peakBytes(model.spec(), options);
                long before = settledNativeBytes();
                long peak = peakDuring(() -> AblationImportance.compute(t, ids, Interventions.Ablation.ZERO, options));
                System.out.printf(Locale.ROOT, "ablation %s at %d tokens: estimate %.1f MiB, measured peak %.1f MiB over %.1f MiB before%n",
                        scope, ids.length, estimate / 1048576.0, (peak - before) / 1048576.0, before / 1048576.0);
                assertTrue(peak - before <= estimate, scope + ": measured " + (peak - before) + " bytes over the estimate " + estimate);
                assertTrue(estimate <= 4 * Math.max(peak - before, 1L << 20), scope + ": the estimate " + estimate
                        + " is not a wild over-estimate of " + (peak - before));
            }
            t.run(new int[][] {ids}, Hooks.none());
        }
    }

    /** The highest native size while {@code job} runs. */
    private static long peakDuring(Runnable job) throws InterruptedException {
        AtomicLong peak = new AtomicLong(nativeBytes());
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(nativeBytes(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        try {
            job.run();
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        return Math.max(peak.get(), nativeBytes());
    }

    private static long settledNativeBytes() throws InterruptedException {
        long bytes = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            bytes = Math.min(bytes, nativeBytes());
        }
        return bytes;
    }

    /** Resident size less the Java heap's committed size: ND4J's native buffers, and the JVM's own native parts. */
    private static long nativeBytes() {
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }
}
