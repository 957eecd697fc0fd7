package headwise.app.cli;

import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code bench}: R timed forwards with every attention pattern captured (as PyTorch's output_attentions=True
 * keeps them), on N random token ids (seed 42), after one warm-up; the last line is {@code forward_ms=<median>}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time full-capture forwards; prints each time and, last, forward_ms=<median>.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Option(names = "--tokens", defaultValue = "128", description = "Input length (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeat", defaultValue = "5", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int repeat;

    @Override
    public Integer call() {
        try (LoadedModel model = ModelLoader.load(common.model)) {
            ModelSpec spec = model.spec();
            int[] ids = new Random(42).ints(tokens, 0, spec.vocabSize()).toArray();
            ModelInput input = new ModelInput(ids, new String[ids.length], null, null);
            input.validate(spec, "--tokens");
            MemoryBudget.check(spec, tokens);
            Transformer transformer = model.transformer();
            int[][] batch = {ids};
            forward(transformer, batch);
            double[] times = new double[Math.max(1, repeat)];
            for (int r = 0; r < times.length; r++) {
                long start = System.nanoTime();
                forward(transformer, batch);
                times[r] = (System.nanoTime() - start) / 1e6;
                command.commandLine().getOut().printf("forward %d: %.1f ms%n", r + 1, times[r]);
            }
            Arrays.sort(times);
            double median = times.length % 2 == 1 ? times[times.length / 2]
                    : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
            command.commandLine().getOut().printf("model=%s layers=%d heads=%d d_model=%d tokens=%d threads=%s%n", model.name(), spec.layers(),
                    spec.heads(), spec.dModel(), tokens, System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
            command.commandLine().getOut().printf("forward_ms=%.1f%n", median);
        }
        return 0;
    }

    private static void forward(Transformer transformer, int[][] batch) {
        Transformer.Result result = transformer.run(batch, Hooks.capturing(name -> name.endsWith("attn.hook_pattern")));
        result.output().data(); // make sure the work is done, not queued
    }
}
