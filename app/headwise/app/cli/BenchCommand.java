package headwise.app.cli;

import headwise.app.export.QuietStdout;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.bench.ForwardBenchmark;
import headwise.engine.bench.RelevanceBenchmark;
import headwise.engine.bench.ForwardFlops;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.BlasKernels;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.MemoryBudget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code bench}: R timed full-capture forwards on N random ids, the forward's GEMM rate against the machine's
 * (measured in the same process), peak memory; the last line is {@code forward_ms=<median>}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time forwards with every attention captured; prints each time and, last, forward_ms=<median>.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Option(names = "--tokens", defaultValue = "128", description = "Input length (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeat", defaultValue = "5", description = "Timed runs after " + ForwardBenchmark.WARM_UP + " untimed ones (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--relevance", paramLabel = "METHOD", description = "Also time one relevance map of METHOD "
            + "(grad-input, attnlrp, cp-lrp, chefer, rollout) and print relevance_ms and its ratio to the forward.")
    String relevance;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        try (LoadedModel model = common.load()) {
            ModelSpec spec = model.spec();
            ForwardBenchmark.Timing timing = ForwardBenchmark.run(model, tokens, repeat);
            double[] times = timing.milliseconds();
            for (int r = 0; r < times.length; r++) {
                out.printf("forward %d: %.1f ms (sgemm %.1f GFLOP/s just after)%n", r + 1, times[r], timing.sgemmGflops()[r]);
            }
            out.printf("model=%s layers=%d heads=%d d_model=%d tokens=%d OMP_NUM_THREADS=%s%n", model.name(), spec.layers(),
                    spec.heads(), spec.dModel(), tokens, System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
            out.printf("blas=%s%n", BlasKernels.inUse());
            out.printf("attention=%s peak_rss_mib=%d%n", MemoryBudget.check(spec, tokens, model.transformer().options()), PeakMemory.residentMib());
            double medianMs = ForwardBenchmark.median(times);
            if (relevance != null) {
                RelevanceMethod method = RelevanceMethod.parse(relevance);
                double[] maps = QuietStdout.call(() -> RelevanceBenchmark.run(model, tokens, method, repeat));
                double mapMs = ForwardBenchmark.median(maps);
                out.printf("relevance_ms=%.1f method=%s relevance_over_forward=%.2f peak_rss_mib=%d%n", mapMs, method.id(),
                        mapMs / medianMs, PeakMemory.residentMib());
            }
            double flops = ForwardFlops.of(spec, tokens);
            // the SGEMM rate at the forward's largest GEMM shape (tokens × d_model · d_model × d_mlp), after each forward
            out.printf("forward_gflops=%.1f sgemm_gflops=%.1f utilisation=%.0f%%%n", flops / (medianMs / 1e3) / 1e9,
                    ForwardBenchmark.median(timing.sgemmGflops()), 100 * timing.utilisation(flops));
            out.printf("forward_ms=%.1f%n", medianMs);
        }
        return 0;
    }
}
