package headwise.app.corpus;

import headwise.engine.HeadwiseException;
import headwise.engine.corpus.CorpusPrompt;
import headwise.engine.corpus.CorpusReader;
import headwise.engine.corpus.CorpusReport;
import headwise.engine.corpus.CorpusRunInfo;
import headwise.engine.corpus.ExecutorModels;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.corpus.PartitionStore;
import headwise.engine.corpus.PromptTokens;
import headwise.engine.corpus.RunKey;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ForwardOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A whole corpus run, as the CLI's {@code corpus} and the app's Corpus page both do it: read and check every prompt
 * on the driver, run {@link CorpusJob} (resuming from the partitions a former run with the same key saved in
 * {@code OUT/.partitions}), then write the result files and run.json, and drop the saved partitions.
 */
public final class CorpusPipeline {

    /** Where finished partitions wait for a rerun, inside the output folder. */
    public static final String PARTITIONS = ".partitions";
    private static final String SPARK_WORK = ".spark-work";
    /** Changes when the saved partitions' content changes meaning: older ones are then computed again. */
    private static final String FORMAT = "corpus-partitions-2";

    /**
     * @param model   a folder, model file or bundled name (every Spark node must have it at the same path)
     * @param failure tests: a partition whose first attempts fail
     */
    public record Request(String model, Path data, Path out, String master, int partitions, int threads, Map<String, String> conf,
                          boolean skipBad, ForwardOptions options, CorpusJob.InjectedFailure failure) {

        /** Local mode, the default partitions, one thread a task, no further settings. */
        public static Request local(String model, Path data, Path out, ForwardOptions options) {
            return new Request(model, data, out, null, 0, 1, Map.of(), false, options, CorpusJob.InjectedFailure.NONE);
        }
    }

    /**
     * @param skippedLines the bad prompts passed over (--skip-bad), their one-line messages
     * @param resumed      prompts taken from partitions a former run finished
     */
    public record Outcome(String modelName, int prompts, List<String> skippedLines, int layers, int heads, int resumed, double seconds) {
    }

    private CorpusPipeline() {
    }

    public static Outcome run(Request r, Consumer<CorpusProgress> progress, CorpusCancel cancel) {
        if (r.partitions() < 0 || r.threads() < 1) {
            throw new HeadwiseException("--partitions must be at least 0 and --threads at least 1");
        }
        SparkJob.requireOpenedPackages("corpus"); // before minutes of reading and tokenizing
        // the model's first load here sets this JVM's native threads for the local tasks: a process that goes on
        // afterwards (the app) gets its own back
        int[] threads = ExecutorModels.nativeThreads();
        try {
            return runChecked(r, progress, cancel);
        } finally {
            ExecutorModels.restoreNativeThreads(threads);
        }
    }

    private static Outcome runChecked(Request r, Consumer<CorpusProgress> progress, CorpusCancel cancel) {
        long start = System.nanoTime();
        CorpusReader.Result read = CorpusReader.read(r.data(), r.skipBad());
        String executorModel = executorModel(r.model());
        ExecutorOptions options = ExecutorOptions.of(r.options());
        // the driver checks every prompt against the model before any task starts; in local mode the tasks reuse it
        LoadedModel loaded = ExecutorModels.get(executorModel, r.threads(), r.options());
        List<CorpusPrompt> prompts = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        List<String> skipped = new ArrayList<>(read.skipped());
        for (CorpusPrompt p : read.prompts()) {
            cancel.check();
            try {
                ids.add(PromptTokens.of(loaded, p, r.data()));
                prompts.add(p);
            } catch (HeadwiseException e) {
                if (!r.skipBad()) {
                    throw e;
                }
                skipped.add(e.getMessage());
            }
        }
        if (prompts.isEmpty()) {
            throw HeadwiseException.inFile(r.data(), "no usable prompts");
        }
        try {
            Files.createDirectories(r.out());
        } catch (IOException e) {
            throw HeadwiseException.inFile(r.out(), "cannot create the output folder: " + e.getMessage());
        }
        Path work = r.out().resolve(SPARK_WORK);
        String dataHash = RunKey.fileHash(r.data());
        Map<String, String> key = new LinkedHashMap<>();
        key.put("format", FORMAT);
        key.put("model", executorModel);
        key.put("model_files", RunKey.modelFingerprint(executorModel));
        key.put("data_sha256", dataHash);
        key.put("skip_bad", Boolean.toString(r.skipBad()));
        key.put("prompts", Integer.toString(prompts.size()));
        key.put("forward_options", options.toString());
        CorpusJob.Settings settings = new CorpusJob.Settings(executorModel, r.master(), r.partitions(), r.threads(), work, r.conf(),
                options, r.failure());
        Path saved = r.out().resolve(PARTITIONS);
        CorpusJob.Result run;
        try {
            run = CorpusJob.run(settings, ids, partitions -> {
                key.put("partitions", Integer.toString(partitions));
                return PartitionStore.open(saved, key);
            }, progress, cancel);
        } finally {
            SparkJob.deleteQuietly(work);
        }
        int layers = loaded.spec().layers();
        int heads = loaded.spec().heads();
        CorpusReport.write(r.out(), prompts, run.all(), skipped.size(), layers, heads);
        CorpusRunInfo.write(r.out(), new CorpusRunInfo(executorModel, loaded.name(), r.data().toAbsolutePath().normalize().toString(),
                dataHash, prompts.size(), skipped.size()));
        SparkJob.deleteQuietly(saved); // the results are written: nothing is left to resume
        return new Outcome(loaded.name(), prompts.size(), skipped, layers, heads, run.resumedPrompts(), (System.nanoTime() - start) / 1e9);
    }

    /** A bundled model's folder as an absolute path, so executors started elsewhere find the same install. */
    public static String executorModel(String model) {
        return BundledModels.canonicalName(model).flatMap(BundledModels::find)
                .or(() -> Files.exists(Path.of(model)) ? Optional.of(Path.of(model)) : Optional.empty())
                .map(p -> p.toAbsolutePath().normalize().toString())
                .orElse(model);
    }
}
