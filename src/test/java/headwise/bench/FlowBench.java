package headwise.bench;

import headwise.engine.analysis.MetricsReport;
import headwise.engine.analysis.flow.AttentionFlow;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.flow.ContributionGraphs;
import headwise.engine.analysis.flow.Contributions;
import headwise.engine.analysis.flow.LayerTap;
import headwise.engine.analysis.flow.ValueNorms;
import headwise.engine.analysis.lens.LogitLens;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Not a test: times each information-flow analysis and the logit lens (each includes its own forward), the plain
 * forward with attention (Analyzer) for scale, and the whole metrics report; the fastest of -Drepeats=2 runs each.
 * <pre>OMP_NUM_THREADS=2 java -Xmx3g -Dorg.bytedeco.javacpp.maxbytes=3g -Dorg.bytedeco.javacpp.maxphysicalbytes=5g \
 *   -cp 'target/classes:target/test-classes:target/lib/*' headwise.bench.FlowBench bench-models/gpt2-small 128 [metrics]</pre>
 */
public final class FlowBench {

    private static final int REPEATS = Integer.getInteger("repeats", 2);

    public static void main(String[] args) {
        String folder = args.length > 0 ? args[0] : "bench-models/gpt2-small";
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        boolean metrics = args.length > 2 && args[2].equals("metrics");
        try (LoadedModel model = ModelLoader.load(folder)) {
            int[] ids = new Random(42).ints(tokens, 0, model.spec().vocabSize()).toArray();
            ModelInput input = ModelInput.fromIds(model, ids);
            Analyzer.analyze(model, input); // warm-up
            System.out.printf("%s: %d layers x %d heads, d %d, %d tokens, OMP_NUM_THREADS=%s, %d cpus%n", folder,
                    model.spec().layers(), model.spec().heads(), model.spec().dModel(), tokens, System.getenv("OMP_NUM_THREADS"),
                    Runtime.getRuntime().availableProcessors());
            AnalysisResult result = time("forward with attention (Analyzer)", () -> Analyzer.analyze(model, input));
            time("tapped forward, all parts (LayerTap)", () -> {
                LayerTap.run(model, input, EnumSet.allOf(headwise.engine.analysis.flow.LayerActivations.Part.class), List.of());
                return null;
            });
            time("value norms (per head + summed)", () -> ValueNorms.compute(model, input));
            Contributions c = time("contributions (all layers, queries)", () -> Contributions.compute(model, input, false));
            ContributionGraph g = time("contribution graph from contributions", () ->
                    ContributionGraphs.graph(c, tokens - 1, 0.04, ContributionGraphs.MlpFold.TOKEN_LOCAL));
            System.out.printf("  graph traced from the last token: %d edges%n", g.edges().size());
            time("logit lens (top-5, rank, KL)", () -> LogitLens.compute(model, input, 5));
            if (tokens <= AttentionFlow.MAX_TOKENS) {
                time("attention flow, one output row", () -> AttentionFlow.compute(result.attention(), model.spec().layers(),
                        new int[] {tokens - 1}, 0, tokens));
            }
            if (tokens <= 64) {
                time("attention flow, all rows", () -> AttentionFlow.compute(result.attention()));
            }
            if (metrics) {
                time("whole metrics report (MetricsReport.compute)", () -> MetricsReport.compute(model, result));
            }
        }
    }

    /** CPU time of the whole process (every Java and native thread): on a busy machine it says more than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Runs {@code run} REPEATS times and prints the fastest (the machine is shared; the minimum is the least disturbed). */
    private static <T> T time(String what, Supplier<T> run) {
        T out = null;
        double best = Double.POSITIVE_INFINITY;
        double bestCpu = Double.POSITIVE_INFINITY;
        for (int r = 0; r < REPEATS; r++) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            out = run.get();
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
            bestCpu = Math.min(bestCpu, (processCpuNanos() - cpu) / 1e6);
        }
        System.out.printf("%-48s %8.0f ms wall %8.0f ms cpu%n", what, best, bestCpu);
        return out;
    }
}
