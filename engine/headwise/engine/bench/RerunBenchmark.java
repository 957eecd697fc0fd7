package headwise.engine.bench;

import headwise.engine.analysis.intervene.ResumableRun;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.util.Locale;
import java.util.Random;

/**
 * Not a test: how long a live intervention takes. GPT-2-small's shape with random weights (seed 42), on random ids:
 * the median of {@code repeat} full-capture forwards with one head switched off, against the same run recomputed
 * from layer l ({@link ResumableRun}) for l = 0, L/2, L − 1. Times are the process's CPU time (wall time beside it):
 * on a shared machine wall time mostly measures the others. The unembedding (T × d × vocab) runs in every rerun,
 * so a rerun from l costs about ((L − l)·layer + unembedding) / (L·layer + unembedding).
 * <pre>OMP_NUM_THREADS=2 java -Xmx6g -cp 'target/classes:target/lib/*' headwise.engine.bench.RerunBenchmark [tokens] [repeat]</pre>
 */
public final class RerunBenchmark {

    private RerunBenchmark() {
    }

    public static void main(String[] args) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ModelSpec spec = RandomGpt2.spec(12, 12); // GPT-2-small
        try (LoadedModel model = RandomGpt2.load(spec)) {
            int[] ids = new Random(42).ints(tokens, 0, spec.vocabSize()).toArray();
            ModelInput input = new ModelInput(ids, new String[ids.length], null, null);
            ResumableRun run = ResumableRun.analyze(model, input);
            System.out.printf(Locale.ROOT, "GPT-2-small shape (random weights), %d tokens, attention %s, checkpoints %d MiB, OMP_NUM_THREADS=%s%n",
                    tokens, run.original().attention().precision(), run.checkpointBytes() >> 20, System.getenv("OMP_NUM_THREADS"));
            for (int w = 0; w < ForwardBenchmark.WARM_UP; w++) {
                Analyzer.analyze(model, input);
            }
            int last = spec.layers() - 1;
            double[] full = median(repeat, () -> Analyzer.analyze(model, input, off(last)));
            System.out.printf(Locale.ROOT, "full forward with one head off: %.0f ms cpu (%.0f ms wall)%n", full[0], full[1]);
            for (int layer : new int[] {0, spec.layers() / 2, last}) {
                Hooks hooks = off(layer);
                double[] ms = median(repeat, () -> run.rerun(hooks));
                System.out.printf(Locale.ROOT, "recompute from layer %2d: %.0f ms cpu (%.0f ms wall) = %.2f of the full forward's cpu ((L - l)/L = %.2f)%n",
                        layer, ms[0], ms[1], ms[0] / full[0], (spec.layers() - layer) / (double) spec.layers());
            }
        }
    }

    private static Hooks off(int layer) {
        return Interventions.ablateHeads(Hooks.none(), layer, Interventions.Ablation.ZERO, 3);
    }

    /** {median CPU ms, median wall ms} of {@code repeat} runs. */
    private static double[] median(int repeat, Runnable work) {
        double[] cpu = new double[Math.max(1, repeat)];
        double[] wall = new double[cpu.length];
        for (int r = 0; r < cpu.length; r++) {
            long cpuStart = cpuNanos();
            long start = System.nanoTime();
            work.run();
            wall[r] = (System.nanoTime() - start) / 1e6;
            cpu[r] = (cpuNanos() - cpuStart) / 1e6;
        }
        return new double[] {ForwardBenchmark.median(cpu), ForwardBenchmark.median(wall)};
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
