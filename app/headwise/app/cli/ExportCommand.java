package headwise.app.cli;

import headwise.app.export.DataKind;
import headwise.app.export.Exporter;
import headwise.app.export.RelevanceFigures;
import headwise.app.export.SessionAnalysis;
import headwise.app.export.ViewFigures;
import headwise.app.export.ViewKind;
import headwise.app.export.VlmViews;
import headwise.app.session.Session;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.relevance.FaithfulnessBaseline;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.analysis.JoinedRuns;
import headwise.viz.Figure;
import headwise.viz.export.FigureFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code export}: one view as a figure (PNG, SVG, PDF) or one kind of data, headless. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write one view as a figure (--view V --format png|svg|pdf) or one kind of data (--data D).")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Mixin
    InputOptions input;

    @Mixin
    FigureOptions figure;

    @Option(names = "--view", description = "model-view, heatmap, head-view, flow, importance, layers, sinks, vit-overlay, compare, relevance, "
            + "faithfulness, atlas; for a LLaVA with --image: vlm-shares, vlm-overlay, vlm-vhd, vlm-pruning.")
    String view;

    @Option(names = "--data", description = "attention, output, metrics, head-metrics, layer-metrics, tokens, flow.")
    String data;

    @Option(names = "--format", description = "Figures: png, svg, pdf. Data: npy, npz (attention), json, csv, graphml (flow). "
            + "Default: the --out file's extension.")
    String format;

    @Option(names = "--out", required = true, description = "The file to write (folders created).")
    Path out;

    @Option(names = "--layers", description = "--data attention: layers to keep, comma-separated (default all).")
    String layers;

    @Option(names = "--heads", description = "--data attention: heads to keep, comma-separated (default all).")
    String heads;

    @Option(names = "--keep-image-size", description = "With --image: keep the image's own size (see analyze --help).")
    boolean keepImageSize;

    @Option(names = "--keys", paramLabel = "position|classes", defaultValue = "position", description = "--view model-view or "
            + "heatmap: keys by position (default) or grouped by token class (system, text, image), each head a queries x "
            + "classes map; classes need a LLaVA with --image.")
    String keys;

    @Option(names = "--baseline", paramLabel = "NAME|ID", description = "--view faithfulness: what a removed token or patch "
            + "becomes (see analyze --help).")
    String baseline;

    @Override
    public Integer call() {
        if ((view == null) == (data == null)) {
            throw new HeadwiseException("give exactly one of --view and --data");
        }
        VlmViews.View vlmView = view == null ? null : VlmViews.View.of(view);
        if (vlmView != null) {
            return exportVlmView(vlmView);
        }
        ViewKind viewKind = view == null ? null : ViewKind.parse(view);
        if (baseline != null && viewKind != ViewKind.FAITHFULNESS) {
            throw new HeadwiseException("--baseline applies to --view faithfulness");
        }
        boolean byClass = keysByClass(viewKind);
        DataKind dataKind = data == null ? null : DataKind.parse(data);
        FigureFormat figureFormat = viewKind == null ? null : figureFormat();
        double scale = figure.pngScale(1);
        try (LoadedModel model = common.load()) {
            if (model.visionLanguage() != null && input.image != null
                    && (viewKind == ViewKind.RELEVANCE || viewKind == ViewKind.FAITHFULNESS)) {
                return exportJoinedRelevance(model, viewKind, figureFormat, scale);
            }
            // keys by class on a LLaVA: its text joined with --image, as the window runs it
            ModelInput modelInput = byClass && model.visionLanguage() != null
                    ? VisionLanguageAnalyzer.joinedInput(model, input.resolveVisionLanguage(model, keepImageSize))
                    : input.resolve(model, keepImageSize);
            TokenClasses classes = byClass ? classes(model, modelInput) : null; // before the run: a text model fails at once
            SessionAnalysis.Options options = figure.analysisOptions(model, modelInput, keepImageSize);
            if (viewKind == ViewKind.COMPARE && options.comparison() == null) {
                throw new HeadwiseException("--view compare needs a second input: --compare-text, --compare-ids or --compare-image");
            }
            FaithfulnessBaseline removedAs = viewKind == ViewKind.FAITHFULNESS
                    ? FaithfulnessBaseline.parse(baseline, model, modelInput.pixels() != null) : null;
            Session session = SessionAnalysis.run(model, modelInput, viewKind != null ? SessionAnalysis.partsFor(viewKind)
                    : partsFor(dataKind), options, note -> command.commandLine().getErr().println("note: " + note));
            if (removedAs != null) {
                session = RelevanceOptions.withFaithfulness(model, modelInput, session, removedAs);
            }
            if (byClass) {
                Exporter.writeFigure(ViewFigures.byClass(viewKind, session, classes),
                        viewKind.title() + ", keys by class", figureFormat, scale, out);
            } else if (viewKind != null) {
                Exporter.exportView(viewKind, session, figureFormat, scale, out);
            } else {
                Exporter.exportData(dataKind, session, format, ids(layers), ids(heads), out);
            }
            command.commandLine().getOut().printf("%s: %s -> %s%n", model.name(), viewKind != null ? viewKind.cliName()
                    + " (" + figureFormat.extension() + ")" : dataKind.cliName(), out);
        }
        return 0;
    }

    /** Whether --keys asks for keys grouped by class; a one-line error where the view cannot group them. */
    private boolean keysByClass(ViewKind viewKind) {
        boolean byClass = switch (keys.toLowerCase(Locale.ROOT)) {
            case "position" -> false;
            case "classes" -> true;
            default -> throw new HeadwiseException("--keys: use position or classes, not '" + keys + "'");
        };
        if (byClass && (viewKind == null || !ViewFigures.groupsKeys(viewKind))) {
            throw new HeadwiseException("--keys classes applies to --view model-view and --view heatmap");
        }
        return byClass;
    }

    /** The token class of every position of a LLaVA's input joined with --image. */
    private static TokenClasses classes(LoadedModel model, ModelInput modelInput) {
        TokenClasses classes = VlmViews.classes(model, modelInput);
        if (classes == null) {
            throw new HeadwiseException("--keys classes needs token classes: a vision-language model (LLaVA) with --image; "
                    + model.name() + (model.visionLanguage() == null ? " is a text-only model" : " has no image joined"));
        }
        return classes;
    }

    /** A vision-language figure: text (or ids) joined with --image, the analysis run here (docs/vlm.md). */
    private Integer exportVlmView(VlmViews.View vlmView) {
        FigureFormat figureFormat = figureFormat();
        double scale = figure.pngScale(1);
        try (LoadedModel model = common.load()) {
            if (model.visionLanguage() == null) {
                throw new HeadwiseException("--view " + vlmView.cliName() + " needs a vision-language model (LLaVA); "
                        + model.name() + " is not one");
            }
            Figure drawn = VlmViews.figure(vlmView, model, input.resolveVisionLanguage(model, keepImageSize));
            Exporter.writeFigure(drawn, model.name() + " \u00B7 " + vlmView.cliName(), figureFormat, scale, out);
            command.commandLine().getOut().printf("%s: %s (%s) -> %s%n", model.name(), vlmView.cliName(), figureFormat.extension(), out);
        }
        return 0;
    }

    /** --view relevance or faithfulness of a LLaVA on text joined with --image (docs/relevance.md). */
    private Integer exportJoinedRelevance(LoadedModel model, ViewKind viewKind, FigureFormat figureFormat, double scale) {
        VisionLanguageInput vlInput = input.resolveVisionLanguage(model, keepImageSize);
        ModelInput joined = VisionLanguageAnalyzer.joinedInput(model, vlInput);
        FaithfulnessBaseline removedAs = viewKind == ViewKind.FAITHFULNESS ? FaithfulnessBaseline.parse(baseline, model, false) : null;
        Session session = SessionAnalysis.run(model, joined, SessionAnalysis.partsFor(viewKind), figure.analysisOptions(model, joined, false));
        if (removedAs != null) {
            session = RelevanceOptions.withFaithfulness(model, joined, session, removedAs);
        }
        var image = new RelevanceFigures.JoinedImage(vlInput.image().seen(), JoinedRuns.classes(model.visionLanguage(), joined.ids()));
        Exporter.writeFigure(RelevanceFigures.joinedView(viewKind, session, image), viewKind.title(), figureFormat, scale, out);
        command.commandLine().getOut().printf("%s: %s (%s) -> %s%n", model.name(), viewKind.cliName(), figureFormat.extension(), out);
        return 0;
    }

    private FigureFormat figureFormat() {
        String name = format;
        if (name == null) {
            String file = out.getFileName().toString();
            int dot = file.lastIndexOf('.');
            name = dot < 0 ? "" : file.substring(dot + 1);
        }
        try {
            return FigureFormat.parse(name.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException("--format: " + e.getMessage());
        }
    }

    private static Set<SessionAnalysis.Part> partsFor(DataKind kind) {
        return switch (kind) {
            case METRICS, LAYER_METRICS -> EnumSet.of(SessionAnalysis.Part.METRICS);
            case HEAD_METRICS -> EnumSet.of(SessionAnalysis.Part.METRICS, SessionAnalysis.Part.IMPORTANCE);
            case FLOW -> EnumSet.of(SessionAnalysis.Part.FLOW);
            default -> EnumSet.noneOf(SessionAnalysis.Part.class);
        };
    }

    private static int[] ids(String csv) {
        return csv == null ? null : ModelInput.parseIds(csv);
    }
}
