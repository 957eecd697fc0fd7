package headwise.app.export;

import headwise.engine.HeadwiseException;
import headwise.engine.image.ImageInput;
import headwise.engine.image.PixelImage;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.analysis.ClassShares;
import headwise.engine.vlm.analysis.HeadDivergence;
import headwise.engine.vlm.analysis.ImageTokenFlow;
import headwise.engine.vlm.analysis.ImageTokenPruning;
import headwise.engine.vlm.analysis.JoinedRuns;
import headwise.engine.vlm.analysis.JoinedSequence;
import headwise.engine.vlm.analysis.PatchAttention;
import headwise.engine.vlm.analysis.VisualSinks;
import headwise.viz.Figure;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.vlm.ClassSharesFigure;
import headwise.viz.vlm.HeadDivergenceFigure;
import headwise.viz.vlm.ImageAttentionFigure;
import headwise.viz.vlm.PruningCurvesFigure;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The vision-language figures (docs/vlm.md) for the VLM page and for {@code export --view vlm-…}: the settings both
 * use (τ of the sinks for the model's width, FlowCut's criterion), and each figure made from a model and text joined
 * with an image. JavaFX-free.
 */
public final class VlmViews {

    /** The figures {@code export --view} writes for a vision-language model. */
    public enum View {
        SHARES("vlm-shares"), OVERLAY("vlm-overlay"), VHD("vlm-vhd"), PRUNING("vlm-pruning");

        private final String cliName;

        View(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        /** The view named {@code name}, or null when it is not a VLM view. */
        public static View of(String name) {
            for (View v : values()) {
                if (v.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            return null;
        }

        public static String names() {
            return Arrays.stream(values()).map(View::cliName).collect(Collectors.joining(", "));
        }
    }

    /** FlowCut's curves and what ranked the tokens. */
    public record FlowCurves(ImageTokenPruning pruning, String criterion, String target) {
    }

    /** The decoder layer of the single-layer attention baseline: FastV's layer 2, or the last of a shallower model. */
    static final int BASELINE_LAYER = 2;
    /** How many heads VHD frames and lists. */
    public static final int TOP_HEADS = 5;

    private VlmViews() {
    }

    /**
     * τ = 20 as the paper, but |x̂| ≤ sqrt(d), so a model narrower than 1600 channels gets sqrt(d)/2 (4 for d = 64)
     * and its sinks can show at all.
     */
    public static double defaultTau(int width) {
        return Math.min(VisualSinks.DEFAULT_TAU, Math.sqrt(width) / 2);
    }

    /** The sinks' options: τ, from layer 2 (or the last layer of a shallower model). */
    public static VisualSinks.Options sinkOptions(int layers, double tau) {
        return VisualSinks.Options.defaults().withTau(tau).withFromLayer(Math.min(VisualSinks.DEFAULT_FROM_LAYER, layers - 1));
    }

    /** A token of the model's vocabulary as text ("id 7" without a tokenizer). */
    public static String token(LoadedModel model, int id) {
        return model.hasTokenizer() ? model.tokenizer().tokensOf(new int[] {id})[0] : "id " + id;
    }

    /** The classes of {@code input}'s positions when it is text joined with an image on {@code model}; else null. */
    public static TokenClasses classes(LoadedModel model, ModelInput input) {
        if (model == null || model.visionLanguage() == null || input.embeddings() == null) {
            return null;
        }
        return JoinedRuns.classes(model.visionLanguage(), input.ids());
    }

    /** The class-share maps and bars over the chosen query rows. */
    public static ClassSharesFigure shares(String title, ClassShares shares, ClassShares.Rows rows) {
        return new ClassSharesFigure(title, shares, rowsName(rows));
    }

    /** "query rows", "prompt's text rows", "generated rows": what the shares average over, for captions and lists. */
    public static String rowsName(ClassShares.Rows rows) {
        return switch (rows) {
            case ALL -> "query rows";
            case TEXT -> "prompt's text rows";
            case GENERATED -> "generated rows";
        };
    }

    /** One query's attention over the image (a head, or {@link PatchAttention#MEAN_OF_HEADS}), the sinks marked. */
    public static ImageAttentionFigure overlay(AttentionMaps maps, TokenClasses classes, String[] tokens, PixelImage seen,
                                               VisualSinks sinks, int layer, int head, int query) {
        return overlay(maps, classes, tokens, seen, sinks.sinks(), layer, head, query);
    }

    /** As above with the sinks to mark given (none: the Head page, which has not searched for them). */
    public static ImageAttentionFigure overlay(AttentionMaps maps, TokenClasses classes, String[] tokens, PixelImage seen,
                                               List<VisualSinks.VisualSink> sinks, int layer, int head, int query) {
        double[][] grid = PatchAttention.grid(maps, classes, layer, head, query);
        return new ImageAttentionFigure("Attention of '" + tokens[query] + "' to the image",
                String.format(Locale.ROOT, "layer %d, %s; query position %d", layer, head < 0 ? "mean of heads" : "head " + head, query),
                PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(), seen.samples()), grid, sinks);
    }

    /**
     * FlowCut's pruning curves: the CLS relay where the tower has a CLS, else the multi-criteria score through the
     * decoder, against single-layer attention; {@code step} hears each stage's name.
     */
    public static FlowCurves flowCut(LoadedModel model, JoinedSequence sequence, ImageInput image, Consumer<String> step) {
        var vlm = model.visionLanguage();
        step.accept("FlowCut: the tower's CLS row\u2026");
        double[] cls = JoinedRuns.towerClsRow(vlm, image);
        step.accept("FlowCut: information flow through the decoder\u2026");
        ImageTokenFlow scores = ImageTokenFlow.compute(sequence, null);
        int layer = Math.min(BASELINE_LAYER, scores.attention().length - 1);
        step.accept("FlowCut: pruning curves\u2026");
        ImageTokenPruning pruning = ImageTokenPruning.compute(sequence,
                JoinedRuns.flowRanking(cls, scores, sequence.classes().imageCount()), scores.attention()[layer],
                ImageTokenPruning.defaultFractions(), -1);
        return new FlowCurves(pruning, (cls != null ? "the tower's CLS relay" : "FlowCut's multi-criteria score")
                + " vs attention at layer " + layer, token(model, pruning.clean().target()));
    }

    public static PruningCurvesFigure pruningFigure(FlowCurves curves) {
        return new PruningCurvesFigure("FlowCut: " + curves.criterion(), curves.pruning(), "single-layer attention", curves.target());
    }

    /**
     * {@code view} of {@code model} on text joined with an image: the shares over all rows, the last position's
     * mean-of-heads attention at the last layer over the image, VHD at the last position, FlowCut's curves.
     */
    public static Figure figure(View view, LoadedModel model, VisionLanguageInput input) {
        if (model.visionLanguage() == null) {
            throw new HeadwiseException("--view " + view.cliName() + " needs a vision-language model; " + model.name() + " is not one");
        }
        ModelInput joined = VisionLanguageAnalyzer.joinedInput(model, input);
        JoinedSequence sequence = JoinedRuns.of(model, joined);
        String title = model.name() + " \u00B7 ";
        return switch (view) {
            case SHARES -> shares(title + "token-class attention shares", ClassShares.compute(sequence, ClassShares.Rows.ALL),
                    ClassShares.Rows.ALL);
            case OVERLAY -> {
                var spec = model.spec();
                VisualSinks sinks = VisualSinks.find(sequence, sinkOptions(spec.layers(), defaultTau(spec.dModel())));
                yield overlay(ClassShares.attention(sequence), sequence.classes(), joined.tokens(), input.image().seen(), sinks,
                        spec.layers() - 1, PatchAttention.MEAN_OF_HEADS, sequence.length() - 1);
            }
            case VHD -> new HeadDivergenceFigure(title + "vision-aware head divergence", HeadDivergence.compute(sequence, null, TOP_HEADS),
                    TOP_HEADS);
            case PRUNING -> pruningFigure(flowCut(model, sequence, input.image(), stage -> { }));
        };
    }
}
