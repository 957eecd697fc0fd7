package headwise.bench;

import headwise.engine.analysis.MetricsReport;
import headwise.engine.analysis.Rollout;
import headwise.engine.analysis.flow.AttentionFlow;
import headwise.engine.analysis.flow.Contributions;
import headwise.engine.analysis.flow.ValueNorms;
import headwise.engine.analysis.heads.NeedlePrompt;
import headwise.engine.analysis.heads.RetrievalScore;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.importance.GradientImportance;
import headwise.engine.analysis.intervene.HeadSelection;
import headwise.engine.analysis.intervene.ZeroTuning;
import headwise.engine.analysis.lens.LogitLens;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Not a test (surefire runs only *Test classes): times each analysis on one input of random ids, each including its
 * own forwards, and prints it in ms and as a multiple of the plain forward with attention (Analyzer). Wall and
 * process CPU time, the fastest of -Drepeats=1 runs; the multiple is of CPU time (run single-threaded: on a shared
 * machine wall time mostly measures the other processes).
 * <pre>OMP_NUM_THREADS=1 java -Xmx3g -Dorg.bytedeco.javacpp.maxbytes=4g -Dorg.bytedeco.javacpp.maxphysicalbytes=6g \
 *   -cp 'target/classes:target/test-classes:target/lib/*' headwise.bench.AnalysisBench bench-models/gpt2-small 128 [names]</pre>
 * names: a comma-separated subset of forward, metrics, value-norms, contributions, logit-lens, rollout, max-flow-row,
 * ablation-all, ablation-measure-at-position, ablation-ablate-at-position, gradient, retrieval, zerotuning (default all).
 * bench-models/gpt2-small: {@code src/test/python/make_fixtures.py --gpt2-small bench-models/gpt2-small}.
 */
public final class AnalysisBench {

    private static final int REPEATS = Integer.getInteger("repeats", 1);

    public static void main(String[] args) {
        String folder = args.length > 0 ? args[0] : "bench-models/gpt2-small";
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        List<String> only = args.length > 2 ? Arrays.asList(args[2].split(",")) : null;
        try (LoadedModel model = ModelLoader.load(folder)) {
            int[] ids = new Random(42).ints(tokens, 0, model.spec().vocabSize()).toArray();
            ModelInput input = ModelInput.fromIds(model, ids);
            Analyzer.analyze(model, input); // warm-up
            System.out.printf("%s: %d layers x %d heads, d %d, %d tokens, OMP_NUM_THREADS=%s%n", folder, model.spec().layers(),
                    model.spec().heads(), model.spec().dModel(), tokens, System.getenv("OMP_NUM_THREADS"));
            AnalysisResult result = Analyzer.analyze(model, input);
            Map<String, Supplier<Object>> analyses = new LinkedHashMap<>();
            analyses.put("forward", () -> Analyzer.analyze(model, input));
            analyses.put("metrics", () -> MetricsReport.compute(model, result));
            analyses.put("value-norms", () -> ValueNorms.compute(model, input));
            analyses.put("contributions", () -> Contributions.compute(model, input, false));
            analyses.put("logit-lens", () -> LogitLens.compute(model, input, LogitLens.DEFAULT_TOP_K));
            analyses.put("rollout", () -> Rollout.of(result.attention()).full());
            analyses.put("max-flow-row", () -> AttentionFlow.compute(result.attention(), model.spec().layers(),
                    new int[] {Math.min(tokens, AttentionFlow.MAX_TOKENS) - 1}, 0, Math.min(tokens, AttentionFlow.MAX_TOKENS)));
            for (AblationImportance.Scope scope : AblationImportance.Scope.values()) {
                analyses.put("ablation-" + scope.name().toLowerCase().replace('_', '-'), () -> AblationImportance.compute(model, input,
                        Interventions.Ablation.ZERO, AblationImportance.Options.defaults().withScope(scope)));
            }
            analyses.put("gradient", () -> GradientImportance.compute(model, input, GradientImportance.Options.defaults()));
            analyses.put("retrieval", () -> RetrievalScore.compute(model.transformer(),
                    NeedlePrompt.randomIds(model.spec(), tokens - 16, 12, 4, 0, null), 0));
            analyses.put("zerotuning", () -> ZeroTuning.apply(model, input, 0.5, HeadSelection.all(model.spec()), null));

            double forwardMs = Double.NaN;
            for (Map.Entry<String, Supplier<Object>> a : analyses.entrySet()) {
                if (only != null && !only.contains(a.getKey()) && !a.getKey().equals("forward")) {
                    continue;
                }
                double ms = time(a.getKey(), a.getValue(), forwardMs);
                if (a.getKey().equals("forward")) {
                    forwardMs = ms;
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double time(String what, Supplier<Object> run, double forwardMs) {
        double best = Double.POSITIVE_INFINITY;
        double bestCpu = Double.POSITIVE_INFINITY;
        for (int r = 0; r < REPEATS; r++) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            run.get();
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
            bestCpu = Math.min(bestCpu, (processCpuNanos() - cpu) / 1e6);
        }
        System.out.printf("%-32s %9.0f ms wall %9.0f ms cpu %7.1f forwards (cpu)%n", what, best, bestCpu,
                Double.isNaN(forwardMs) ? 1.0 : bestCpu / forwardMs);
        return bestCpu;
    }
}
