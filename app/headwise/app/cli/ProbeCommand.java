package headwise.app.cli;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.probe.LayerProbing;
import headwise.engine.analysis.probe.Pooling;
import headwise.engine.analysis.probe.ProbeReport;
import headwise.engine.analysis.probe.ProbeResult;
import headwise.engine.analysis.probe.ProbeScore;
import headwise.engine.analysis.probe.ProbeSettings;
import headwise.engine.analysis.probe.ProbeSite;
import headwise.engine.load.LoadedModel;
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

    @Override
    public Integer call() {
        ProbeSettings settings = ProbeSettings.defaults().withSite(ProbeSite.parse(site)).withPooling(Pooling.parse(position))
                .withSeed(seed).withHeadMap(!noHeads).withNoise(noise);
        FigureFormat format = figureFormat(); // a bad format fails before the work
        try (LoadedModel model = common.load()) {
            long start = System.nanoTime();
            long[] featuresDone = {start};
            ProbeResult result = LayerProbing.run(model, data, settings, (stage, done, total) -> {
                if (stage.equals("features") && done == total) {
                    featuresDone[0] = System.nanoTime();
                }
            });
            double featureSeconds = (featuresDone[0] - start) / 1e9;
            double probeSeconds = (System.nanoTime() - featuresDone[0]) / 1e9;
            AnalyzeCommand.createFolder(out);
            ProbeReport.write(out.resolve("probe.json"), result, model.name(), data);
            if (format != null) {
                String title = model.name() + ": " + data.getFileName() + " at " + result.settings().site().hook();
                FigureFiles.write(figure(result, title), format, 1, title, out.resolve("probe." + format.extension()));
            }
            int examples = result.split().train().length + result.split().test().length;
            ProbeScore best = result.layers().stream().max(java.util.Comparator.comparingDouble(ProbeScore::accuracy)).orElseThrow();
            PrintWriter printer = command.commandLine().getOut();
            printer.printf("%s: %d examples (%d train, %d test), best accuracy %.4f, depth %d; features %.2f s, probes %.2f s; wrote %s%n",
                    model.name(), examples, result.split().train().length, result.split().test().length, best.accuracy(), result.depth(),
                    featureSeconds, probeSeconds, out.resolve("probe.json"));
            printer.flush();
        }
        return 0;
    }

    private FigureFormat figureFormat() {
        try {
            return figure == null ? null : FigureFormat.parse(figure);
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException("--figure: " + e.getMessage());
        }
    }

    static ProbeFigure figure(ProbeResult result, String title) {
        List<ProbeScore> layers = result.layers();
        ProbeFigure.Curves curves = new ProbeFigure.Curves(layers.stream().mapToDouble(ProbeScore::accuracy).toArray(),
                layers.stream().mapToDouble(ProbeScore::f1).toArray(), layers.stream().mapToDouble(ProbeScore::auc).toArray());
        ProbeScore embedding = result.embedding();
        return new ProbeFigure(title, curves, new double[] {embedding.accuracy(), embedding.f1(), embedding.auc()}, result.depth(),
                result.headAccuracy());
    }
}
