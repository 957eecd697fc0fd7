package headwise.app.cli;

import headwise.app.corpus.CorpusJob;
import headwise.engine.HeadwiseException;
import headwise.engine.corpus.CorpusAccumulator;
import headwise.engine.corpus.CorpusPrompt;
import headwise.engine.corpus.CorpusReader;
import headwise.engine.corpus.CorpusReport;
import headwise.engine.corpus.ExecutorModels;
import headwise.engine.corpus.PromptTokens;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code corpus}: per-head statistics and the head atlas over a file of prompts, on Spark (docs/corpus.md). */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = "Run a model on every prompt of a file (on Spark, embedded unless --master) and write head_stats.json, "
                + "layer_stats.json, per_prompt.jsonl and atlas.json.")
final class CorpusCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common; // --model (every Spark node must have it at the same path), --debug

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Prompts: .jsonl ({\"text\"} or {\"ids\"}, optional id, label, split), .csv with a text column, "
                    + "or plain text, one prompt a line.")
    Path data;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--master", description = "Spark master URL (default: embedded, local mode on this machine's cores).")
    String master;

    @Option(names = "--partitions", defaultValue = "0", description = "Spark tasks to cut the prompts into (default: twice the task slots).")
    int partitions;

    @Option(names = "--threads", defaultValue = "1",
            description = "Native threads per task (spark.task.cpus, at most an executor's cores); default ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--skip-bad", description = "Count and skip bad prompts instead of stopping at the first.")
    boolean skipBad;

    /** Tests of Spark's retry: the first attempt of this partition fails. */
    int failPartitionOnce = -1;

    @Override
    public Integer call() {
        PrintWriter err = command.commandLine().getErr();
        if (partitions < 0 || threads < 1) {
            throw new HeadwiseException("--partitions must be at least 0 and --threads at least 1");
        }
        CorpusJob.requireOpenedPackages(); // before minutes of reading and tokenizing
        CorpusReader.Result read = CorpusReader.read(data, skipBad);
        String executorModel = executorModel(common.model);
        // the driver checks every prompt against the model before any task starts; in local mode the tasks reuse it
        LoadedModel loaded = ExecutorModels.get(executorModel, threads);
        List<CorpusPrompt> prompts = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        List<String> skipped = new ArrayList<>(read.skipped());
        for (CorpusPrompt p : read.prompts()) {
            try {
                ids.add(PromptTokens.of(loaded, p, data));
                prompts.add(p);
            } catch (HeadwiseException e) {
                if (!skipBad) {
                    throw e;
                }
                skipped.add(e.getMessage());
            }
        }
        if (!skipped.isEmpty()) {
            err.println("skipped " + skipped.size() + " bad prompts; the first: " + skipped.get(0));
        }
        if (prompts.isEmpty()) {
            throw HeadwiseException.inFile(data, "no usable prompts");
        }
        AnalyzeCommand.createFolder(out);
        Path work = out.resolve(".spark-work");
        CorpusJob.Settings settings = new CorpusJob.Settings(executorModel, master, partitions, threads, work, conf, failPartitionOnce);
        long start = System.nanoTime();
        CorpusAccumulator run = CorpusJob.run(settings, ids, err::println);
        deleteQuietly(work);
        CorpusReport.write(out, prompts, run, skipped.size(), loaded.spec().layers(), loaded.spec().heads());
        double seconds = (System.nanoTime() - start) / 1e9;
        command.commandLine().getOut().printf("%s: %d prompts (%d skipped), %d layers x %d heads, %.1f s -> %s%n",
                loaded.name(), prompts.size(), skipped.size(), loaded.spec().layers(), loaded.spec().heads(), seconds, out);
        return 0;
    }

    /** A bundled model's folder as an absolute path, so executors started elsewhere find the same install. */
    private static String executorModel(String model) {
        return BundledModels.canonicalName(model).flatMap(BundledModels::find)
                .or(() -> Files.exists(Path.of(model)) ? java.util.Optional.of(Path.of(model)) : java.util.Optional.empty())
                .map(p -> p.toAbsolutePath().normalize().toString())
                .orElse(model);
    }

    private static void deleteQuietly(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // Spark removes its own scratch folders; this only tidies the empty parent
        }
    }
}
