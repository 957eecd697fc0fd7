package headwise.bench;

import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.GradientImportance;
import headwise.engine.analysis.importance.GradientScores;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;

import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: times one full forward (median of 3), all-head ablation (zero mode) in each scope and gradient importance.
 * <pre>OMP_NUM_THREADS=2 java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=5g \
 *   -cp 'target/classes:target/test-classes:target/lib/*' headwise.bench.AblationBench bench-models/gpt2-small 128 [budgetMiB] [skipGradient]</pre>
 * Without maxbytes the JVM rarely collects, ND4J's off-heap temporaries pile up (12 GB RSS seen) and the OOM
 * killer ends the run.
 */
public final class AblationBench {

    public static void main(String[] args) {
        String folder = args.length > 0 ? args[0] : "bench-models/gpt2-small";
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        long budget = (args.length > 2 ? Long.parseLong(args[2]) : 1024) << 20;
        boolean gradient = args.length <= 3 || !args[3].equals("skipGradient");
        try (LoadedModel model = ModelLoader.load(folder)) {
            Transformer t = model.transformer();
            ModelSpec spec = model.spec();
            int[] ids = new Random(42).ints(tokens, 0, spec.vocabSize()).toArray();
            int[][] batch = {ids};
            t.run(batch, Hooks.none()).output().data(); // warm-up
            // process CPU time (single-threaded runs): on a shared, loaded machine wall time mostly measures the others
            double[] forward = new double[3];
            for (int r = 0; r < forward.length; r++) {
                long start = cpuNanos();
                t.run(batch, Hooks.none()).output().data();
                forward[r] = (cpuNanos() - start) / 1e6;
            }
            double forwardMs = median(forward);
            System.out.printf("%s: %d layers x %d heads, %d tokens, OMP_NUM_THREADS=%s%n", folder, spec.layers(), spec.heads(), tokens,
                    System.getenv("OMP_NUM_THREADS"));
            System.out.printf("forward: median %.0f ms cpu (runs %s)%n", forwardMs, Arrays.toString(round(forward)));

            long start;
            AblationImportance.Scope[] cheapestFirst = AblationImportance.Scope.values().clone();
            java.util.Collections.reverse(Arrays.asList(cheapestFirst));
            for (AblationImportance.Scope scope : cheapestFirst) {
                start = cpuNanos();
                AblationScores scores = AblationImportance.compute(t, ids, Interventions.Ablation.ZERO,
                        AblationImportance.Options.defaults().withMemoryBudget(budget).withScope(scope));
                double ablationMs = (cpuNanos() - start) / 1e6;
                System.out.printf("all-head ablation %s (%d heads, zero, budget %d MiB): %.0f ms cpu = %.1f forwards%n", scope,
                        spec.layers() * spec.heads(), budget >> 20, ablationMs, ablationMs / forwardMs);
                System.out.printf("  baseline loss %.4f, max KL at the last position %.4g%n", scores.baselineLoss(),
                        Arrays.stream(scores.kl()).flatMapToDouble(Arrays::stream).max().orElse(0));
            }

            if (gradient) {
                start = cpuNanos();
                GradientScores g = GradientImportance.compute(t, ids, GradientImportance.Options.defaults());
                double gradientMs = (cpuNanos() - start) / 1e6;
                System.out.printf("gradient importance (build graph + forward + backward): %.0f ms = %.1f forwards (loss %.4f)%n",
                        gradientMs, gradientMs / forwardMs, g.loss());
            }
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
