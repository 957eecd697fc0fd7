package headwise.bench;

import headwise.app.cli.PeakMemory;
import headwise.engine.bench.ForwardFlops;
import headwise.engine.bench.GemmRate;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;

/**
 * Not a test: one full analysis of a long random input (no warm-up: at 8192 tokens one forward of a 1B model is the
 * measurement), then reading heads back, as exploring does. Prints the attention storage chosen, the forward's time
 * and GFLOP/s, how much of it attention took (timed between each layer's hook_v and hook_z, which enclose exactly
 * the attention step) and attention's own GFLOP/s on the products a causal model does, the SGEMM rate just after
 * (at the forward's largest shape and at the attention products' shapes), process CPU time, peak RSS and the load.
 * <pre>OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -Xmx7g -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
 *   headwise.bench.LongInputBench target/bench-models/tinyllama 8192</pre>
 */
public final class LongInputBench {

    public static void main(String[] args) {
        String folder = args[0];
        int tokens = Integer.parseInt(args[1]);
        long start = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(folder)) {
            ModelSpec spec = model.spec();
            System.out.printf(Locale.ROOT, "load: %.1f s, peak_rss_mib=%d, load average %s%n", seconds(start),
                    PeakMemory.residentMib(), BatchBench.load());
            int[] ids = new Random(42).ints(tokens, 0, spec.vocabSize()).toArray();
            AttentionClock clock = new AttentionClock(spec.layers());
            start = System.nanoTime();
            long cpu = processCpuNanos();
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, ids), clock.hooks());
            double forward = seconds(start);
            double cpuSeconds = (processCpuNanos() - cpu) / 1e9;
            AttentionMaps attention = result.attention();
            double flops = ForwardFlops.of(spec, tokens);
            double attentionFlops = spec.layers() * 2.0 * 2 * spec.heads() * spec.dHead() * (tokens * (tokens + 1.0) / 2);
            double sgemm = GemmRate.gflops(Math.min(tokens, 2048), spec.dModel(), spec.dMlp(), 3);
            double scoresRate = GemmRate.gflops(128, spec.dHead(), tokens, 3);
            double mixRate = GemmRate.gflops(128, tokens, spec.dHead(), 3);
            System.out.printf(Locale.ROOT, "forward with attention (%s) on %d tokens: %.1f s (process CPU %.1f s), %.1f GFLOP/s "
                            + "(%.0f%% of sgemm %.1f GFLOP/s just after), peak_rss_mib=%d, load average %s%n", attention.precision(),
                    tokens, forward, cpuSeconds, flops / forward / 1e9, 100 * flops / forward / 1e9 / sgemm, sgemm,
                    PeakMemory.residentMib(), BatchBench.load());
            System.out.printf(Locale.ROOT, "attention: %.1f s (process CPU %.1f s, %.0f%% of the forward's), %.0f%% of the forward, %.1f GFLOP/s on %.0f GFLOP of causal products "
                            + "(%.0f%% of sgemm; the products' own shapes [128,%d]·[%d,%d] %.1f and [128,%d]·[%d,%d] %.1f GFLOP/s)%n",
                    clock.seconds(), clock.cpuSeconds(), 100 * clock.cpuSeconds() / cpuSeconds, 100 * clock.seconds() / forward, attentionFlops / clock.seconds() / 1e9, attentionFlops / 1e9,
                    100 * attentionFlops / clock.seconds() / 1e9 / sgemm, spec.dHead(), spec.dHead(), tokens, scoresRate,
                    tokens, tokens, spec.dHead(), mixRate);
            int lastLayer = attention.layers() - 1;
            for (int head = 0; head < 2; head++) {
                start = System.nanoTime();
                float[] pattern = attention.head(lastLayer, head);
                double entropy = meanRowEntropy(pattern, tokens);
                System.out.printf(Locale.ROOT, "layer %d head %d: read in %.2f s, mean row entropy %.3f nats, A[T-1][0]=%.4g%n",
                        lastLayer, head, seconds(start), entropy, pattern[(tokens - 1) * tokens]);
            }
            System.out.printf("peak_rss_mib=%d heap_max_mib=%d load_average=%s%n", PeakMemory.residentMib(),
                    Runtime.getRuntime().maxMemory() >> 20, BatchBench.load());
            System.out.printf(Locale.ROOT, "forward_s=%.1f attention_s=%.1f forward_cpu_s=%.1f attention_cpu_s=%.1f%n", forward,
                    clock.seconds(), cpuSeconds, clock.cpuSeconds());
        }
    }

    /**
     * Wall time spent in attention: each layer's hook_v is applied just before its attention step and hook_z just
     * after it (Transformer.block), so observers on the two enclose that step and nothing else.
     */
    private static final class AttentionClock {

        private final int layers;
        private long started;
        private long startedCpu;
        private long total;
        private long totalCpu;

        AttentionClock(int layers) {
            this.layers = layers;
        }

        Hooks hooks() {
            Hooks hooks = Hooks.none();
            for (int layer = 0; layer < layers; layer++) {
                hooks.intervene(HookNames.v(layer), v -> {
                    started = System.nanoTime();
                    startedCpu = processCpuNanos();
                    return v;
                });
                hooks.intervene(HookNames.z(layer), z -> {
                    total += System.nanoTime() - started;
                    totalCpu += processCpuNanos() - startedCpu;
                    return z;
                });
            }
            return hooks;
        }

        double seconds() {
            return total / 1e9;
        }

        /** Process CPU in the same intervals: steadier than wall time on a shared machine. */
        double cpuSeconds() {
            return totalCpu / 1e9;
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double meanRowEntropy(float[] a, int t) {
        double total = 0;
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                float p = a[i * t + j];
                if (p > 0) {
                    total -= p * Math.log(p);
                }
            }
        }
        return total / t;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
