package headwise.app.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.HeadAnalyses;
import headwise.engine.analysis.MetricsReport;
import headwise.engine.image.PatchGrid;
import headwise.engine.load.LoadedModel;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.VisionLanguageResult;
import headwise.engine.vlm.VisionLanguageTokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code analyze}: writes attention.npy, output.npy and tokens.json (the contract in ENGINE.md). */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Run a model on one input and write attention.npy [layers, heads, T, T], output.npy and tokens.json.")
final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Mixin
    InputOptions input;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--keep-image-size", description = "With --image: do not resize or crop; the image's own size "
            + "(both sides multiples of the patch size) sets the patch grid, and the position embeddings are interpolated "
            + "to it (Hugging Face's interpolate_pos_encoding=True). do_resize false in preprocessor_config.json does the same.")
    boolean keepImageSize;

    @Option(names = "--metrics", description = "Also write metrics.json: every metric of the README's metrics.json table "
            + "(head types and residual-stream metrics cost one extra forward each).")
    boolean metrics;

    @Mixin
    HeadAnalysisOptions headAnalyses;

    @Mixin
    RelevanceOptions relevance;

    @Override
    public Integer call() {
        try (LoadedModel model = common.load()) {
            if (model.visionLanguage() != null) {
                return analyzeVisionLanguage(model);
            }
            ModelInput modelInput = input.resolve(model, keepImageSize);
            HeadAnalyses extra = headAnalyses.resolve(model); // bad options fail before the run
            var relevanceMethods = relevance.methods();
            AnalysisResult result = Analyzer.analyze(model, modelInput);
            createFolder(out);
            Npy.write(out.resolve("attention.npy"), result.attention().shape(), result.attention().values());
            Npy.write(out.resolve("output.npy"), result.output().shape(), result.output().values());
            writeTokens(out.resolve("tokens.json"), modelInput);
            writeMetrics(model, result, extra);
            if (!relevanceMethods.isEmpty()) {
                relevance.write(model, modelInput, relevanceMethods, out, command.commandLine().getErr());
            }
            command.commandLine().getOut().printf("%s (%s): %d tokens, %d layers x %d heads -> %s%n", model.name(),
                    model.spec().architecture(), modelInput.length(),
                    model.spec().layers(), model.spec().heads(), out);
        }
        return 0;
    }

    /**
     * Text and one image through a vision-language model: attention.npy is the decoder's over the joined sequence,
     * vision_attention.npy the tower's over its own tokens, output.npy the logits, tokens.json marks the image.
     */
    private int analyzeVisionLanguage(LoadedModel model) {
        var relevanceMethods = relevance.methods(); // bad options fail before the run
        HeadAnalyses extra = headAnalyses.resolve(model);
        VisionLanguageInput vlInput = input.resolveVisionLanguage(model, keepImageSize);
        VisionLanguageResult result = VisionLanguageAnalyzer.analyze(model, vlInput);
        AnalysisResult decoder = result.decoder();
        createFolder(out);
        Npy.write(out.resolve("attention.npy"), decoder.attention().shape(), decoder.attention().values());
        Npy.write(out.resolve("vision_attention.npy"), result.visionAttention().shape(), result.visionAttention().values());
        Npy.write(out.resolve("output.npy"), decoder.output().shape(), decoder.output().values());
        writeJson(out.resolve("tokens.json"), VisionLanguageTokens.json(decoder.input(), result, model.visionLanguage().imageTokenId()));
        writeMetrics(model, decoder, extra); // the decoder's run over the joined sequence
        if (!relevanceMethods.isEmpty()) { // on the joined sequence: one value per position, the image's included
            relevance.write(model, decoder.input(), relevanceMethods, out, command.commandLine().getErr());
        }
        command.commandLine().getOut().printf("%s (%s): %d tokens (%d image positions), %d layers x %d heads; tower %d tokens, "
                        + "%d layers x %d heads -> %s%n", model.name(), model.spec().architecture(), decoder.input().length(),
                result.classes().imageCount(), model.spec().layers(), model.spec().heads(), result.towerGrid().tokens(),
                result.visionAttention().layers(), result.visionAttention().heads(), out);
        return 0;
    }

    /** metrics.json when --metrics or a head analysis asks for it. */
    private void writeMetrics(LoadedModel model, AnalysisResult result, HeadAnalyses extra) {
        if (metrics || extra.any()) {
            MetricsReport.Options options = MetricsReport.Options.defaults().withHeadAnalyses(extra);
            MetricsReport.write(out.resolve("metrics.json"), MetricsReport.compute(model, result, options));
        }
    }

    static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw HeadwiseException.inFile(folder, "cannot create output folder: " + e.getMessage());
        }
    }

    /**
     * {"ids", "tokens"}, plus "offsets" for text, or for images "grid": {"rows", "cols", "patch_size",
     * "special_tokens"} (token special_tokens + row·cols + col is patch (row, col)).
     */
    static void writeTokens(Path file, ModelInput input) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ids", input.ids());
        json.put("tokens", input.tokens());
        if (input.offsets() != null) {
            json.put("offsets", input.offsets());
        }
        PatchGrid grid = input.grid();
        if (grid != null) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("rows", grid.rows());
            g.put("cols", grid.cols());
            g.put("patch_size", grid.patchSize());
            g.put("special_tokens", grid.specialTokens());
            json.put("grid", g);
        }
        writeJson(file, json);
    }

    private static void writeJson(Path file, Map<String, Object> json) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        try {
            Files.writeString(file, gson.toJson(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getMessage());
        }
    }
}
