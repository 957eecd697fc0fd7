package headwise.app.cli;

import headwise.app.ForwardOptionsProperties;
import headwise.app.corpus.CorpusCancel;
import headwise.app.corpus.CorpusPipeline;
import headwise.app.corpus.SparkJob;
import headwise.app.probe.SparkProbeFeatures;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.probe.LayerProbing;
import headwise.engine.analysis.probe.LowPrecision;
import headwise.engine.analysis.probe.Pooling;
import headwise.engine.analysis.probe.ProbeFeatures;
import headwise.engine.analysis.probe.ProbeReport;
import headwise.engine.analysis.probe.ProbeResult;
import headwise.engine.analysis.probe.ProbeScore;
import headwise.engine.analysis.probe.ProbeSettings;
import headwise.engine.analysis.probe.ProbeSite;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.viz.export.FigureFiles;
import headwise.viz.export.FigureFormat;
import headwise.viz.view.ProbeFigure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code probe}: layer-wise linear probes of a labelled data set (docs/probing.md); writes OUT/probe.json. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Layer-wise linear probes: at which block does the model make the label linearly readable?")
final class ProbeCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "JSONL or CSV with text (or ids), label and optional split (train/test).")
    Path data;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--site", paramLabel = "HOOK", defaultValue = "hook_resid_post",
            description = "Block hook probed: hook_resid_post (default), hook_resid_mid, ln2.hook_normalized, attn.hook_z.")
    String site;

    @Option(names = "--position", paramLabel = "last|mean|cls", defaultValue = "last",
            description = "Token probed: last (default), mean over tokens, or cls (the first).")
    String position;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the stratified 60/40 split when the file has none (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--noise", paramLabel = "SIGMA", defaultValue = "0",
            description = "Add Gaussian noise of this standard deviation to the embedding output (seeded by --seed; default none).")
    double noise;

    @Option(names = "--figure", paramLabel = "png|svg|pdf",
            description = "Also draw the curves and the head map into OUT/probe.<format>.")
    String figure;

    @Option(names = "--no-heads", description = "Skip the per-head probes on hook_z (the L×H map).")
    boolean noHeads;

    @Option(names = "--attentive", description = "Also train an attentive probe per block (learned queries over all tokens, Adam).")
    boolean attentive;

    @Option(names = "--queries", paramLabel = "M", description = "Queries of the attentive probe (default 8; implies --attentive).")
    Integer queries;

    @Option(names = "--attention-example", paramLabel = "N",
            description = "Example (0-based, in file order) whose attention the attentive probes export (default: the first test example).")
    Integer attentionExample;

    @Option(names = "--low-precision", paramLabel = "F16|BF16|Q8_0",
            description = "Probe a second copy of the model at lower precision too: F16/BF16 round the weights; Q8_0 needs --compare-model.")
    String lowPrecision;

    @Option(names = "--compare-model", paramLabel = "FILE",
            description = "A second copy of the model to probe the same way (e.g. a Q8_0 GGUF file), fed the same token ids.")
    String compareModel;

    @Option(names = "--spark", description = "Extract the features on Spark (local mode unless --master, which implies --spark);"
            + " the probes train here."
            + " Automatic above " + SparkProbeFeatures.AUTO_EXAMPLES + " examples.")
    boolean spark;

    @Option(names = "--no-spark", description = "Extract the features in this process, however many examples.")
    boolean noSpark;

    @Mixin
    SparkOptions sparkOptions; // --master, --partitions, --threads, --conf (with --spark, or above the automatic size)

    /** Tests: the example count above which Spark extracts without --spark. */
    int autoSparkExamples = SparkProbeFeatures.AUTO_EXAMPLES;

    @Override
    public Integer call() {
        spark |= sparkOptions.master != null; // a cluster named is a cluster meant
        if (spark && noSpark) {
            throw new HeadwiseException("--spark (or --master) and --no-spark: choose one");
        }
        if (queries != null && queries < 1) {
            throw new HeadwiseException("--queries: the attentive probe needs 1 query or more, got " + queries);
        }
        ProbeSettings settings = ProbeSettings.defaults().withSite(ProbeSite.parse(site)).withPooling(Pooling.parse(position))
                .withSeed(seed).withHeadMap(!noHeads).withNoise(noise)
                .withAttentive(attentive || queries != null ? (queries == null ? ProbeSettings.DEFAULT_QUERIES : queries) : 0)
                .withAttentionExample(attentionExample == null ? -1 : attentionExample);
        FigureFormat format = figureFormat(); // a bad format fails before the work
        LowPrecision rounding = lowPrecisionToRound();
        try (LoadedModel model = common.load(); LoadedModel compared = compareModel == null ? null : ModelLoader.load(compareModel)) {
            List<LayerProbing.Comparison> comparisons = new ArrayList<>();
            if (rounding != null) {
                comparisons.add(new LayerProbing.Comparison(rounding.name(), rounding.copyOf(model)));
            }
            if (compared != null) {
                String name = "Q8_0".equalsIgnoreCase(lowPrecision) ? "Q8_0" : Path.of(compareModel).getFileName().toString();
                comparisons.add(new LayerProbing.Comparison(name, LayerProbing.checkComparable(model, compared, compareModel)));
            }
            long start = System.nanoTime();
            long[] featuresDone = {start};
            boolean[] onSpark = {false};
            ProbeResult result = LayerProbing.run(model, data, settings, comparisons, (stage, done, total) -> {
                if (stage.equals("features") && done == total) {
                    featuresDone[0] = System.nanoTime();
                }
            }, extractor(onSpark));
            double featureSeconds = (featuresDone[0] - start) / 1e9;
            double probeSeconds = (System.nanoTime() - featuresDone[0]) / 1e9;
            AnalyzeCommand.createFolder(out);
            ProbeReport.write(out.resolve("probe.json"), result, model.name(), data);
            if (format != null) {
                String title = model.name() + ": " + data.getFileName() + " at " + result.settings().site().hook();
                FigureFiles.write(ProbeFigure.of(result, title, -1), format, 1, title, out.resolve("probe." + format.extension()));
            }
            int examples = result.split().train().length + result.split().test().length;
            ProbeScore best = result.layers().stream().max(java.util.Comparator.comparingDouble(ProbeScore::accuracy)).orElseThrow();
            PrintWriter printer = command.commandLine().getOut();
            printer.printf("%s: %d examples (%d train, %d test), best accuracy %.4f, depth %d; features %.2f s%s, probes %.2f s; wrote %s%n",
                    model.name(), examples, result.split().train().length, result.split().test().length, best.accuracy(), result.depth(),
                    featureSeconds, onSpark[0] ? " on Spark" : "", probeSeconds, out.resolve("probe.json"));
            printer.flush();
        }
        return 0;
    }

    /**
     * In-process, or on Spark with --spark or above {@link #autoSparkExamples} examples (unless --no-spark); the
     * executors load --model from the same path and run it with the -D switches' forward options.
     */
    private LayerProbing.Extractor extractor(boolean[] onSpark) {
        if (sparkOptions.partitions < 0 || sparkOptions.threads < 1) {
            throw new HeadwiseException("--partitions must be at least 0 and --threads at least 1");
        }
        PrintWriter err = command.commandLine().getErr();
        SparkProbeFeatures sparkFeatures = new SparkProbeFeatures(CorpusPipeline.executorModel(common.model),
                new SparkJob.Cluster(sparkOptions.master, sparkOptions.partitions, sparkOptions.threads, out.resolve(".spark-work"),
                        sparkOptions.conf),
                ExecutorOptions.of(ForwardOptionsProperties.read()), p -> {
                    err.println(p.line("probe", "examples"));
                    err.flush();
                }, new CorpusCancel());
        return (model, file, examples, settings, progress) -> {
            onSpark[0] = spark || !noSpark && examples.size() > autoSparkExamples;
            return onSpark[0] ? sparkFeatures.extract(model, file, examples, settings, progress)
                    : ProbeFeatures.extract(model, file, examples, settings, progress);
        };
    }

    private FigureFormat figureFormat() {
        try {
            return figure == null ? null : FigureFormat.parse(figure);
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException("--figure: " + e.getMessage());
        }
    }

    /** F16/BF16 to round here; Q8_0 only with the GGUF file given. */
    private LowPrecision lowPrecisionToRound() {
        if (lowPrecision == null) {
            return null;
        }
        if (lowPrecision.trim().equalsIgnoreCase("Q8_0")) {
            if (compareModel == null) {
                throw new HeadwiseException("--low-precision Q8_0: give the model's Q8_0 GGUF file with --compare-model FILE");
            }
            return null;
        }
        return LowPrecision.parse(lowPrecision);
    }
}
