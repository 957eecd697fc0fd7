package headwise.app.cli;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import headwise.app.export.SessionAnalysis;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** What export and report draw: the selected head, scales, the second input to compare with, the flow target. */
final class FigureOptions {

    @Option(names = "--layer", defaultValue = "0", description = "Layer of the single-head views (heatmap, head view, ViT overlay, "
            + "compare); default ${DEFAULT-VALUE}.")
    int layer;

    @Option(names = "--head", description = "Head of the single-head views; without it the head view shows every head of the "
            + "layer and the others head 0.")
    Integer head;

    @Option(names = "--log", description = "Heatmap colours on a log10 scale (shows the small weights a sink hides).")
    boolean log;

    @Option(names = "--scale", description = "PNG pixels per figure unit (default 1; 2 for high-density screens). The PNG records "
            + "72 x scale dpi, so it prints at the PDF's size.")
    Double scale;

    @Option(names = "--dpi", description = "PNG resolution instead of --scale: scale = dpi / 72.")
    Double dpi;

    @Option(names = "--compare-text", description = "Second input for the compare view: text.")
    String compareText;

    @Option(names = "--compare-ids", description = "Second input for the compare view: token ids, comma-separated.")
    String compareIds;

    @Option(names = "--compare-image", description = "Second input for the compare view: an image.")
    Path compareImage;

    @Option(names = "--target", defaultValue = "-1", description = "Flow view: token position traced back from (default: the last).")
    int target;

    @Option(names = "--threshold", defaultValue = "0.04", description = "Flow view: edges below this weight are dropped "
            + "(default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--relevance-target", paramLabel = "ID|CLASS", description = "Relevance view: the token id, class or "
            + "hidden dimension to explain (default: the top one).")
    Integer relevanceTarget;

    @Option(names = "--relevance-position", paramLabel = "P", description = "Relevance view: the output position "
            + "(default: the last token; CLS for encoders).")
    Integer relevancePosition;

    /** PNG scale from --scale or --dpi (one at most), default {@code fallback}. */
    double pngScale(double fallback) {
        if (scale != null && dpi != null) {
            throw new HeadwiseException("give --scale or --dpi, not both");
        }
        double s = dpi != null ? dpi / 72 : scale != null ? scale : fallback;
        if (!(s > 0) || s > 16) {
            throw new HeadwiseException("PNG scale must be above 0 and at most 16 (dpi up to 1152), got " + s);
        }
        return s;
    }

    SessionAnalysis.Options analysisOptions(LoadedModel model, ModelInput input, boolean keepImageSize) {
        int layers = model.spec().layers();
        int heads = model.spec().heads();
        if (layer < 0 || layer >= layers) {
            throw new HeadwiseException("--layer " + layer + " is outside 0.." + (layers - 1));
        }
        if (head != null && (head < 0 || head >= heads)) {
            throw new HeadwiseException("--head " + head + " is outside 0.." + (heads - 1));
        }
        if (target >= input.length()) {
            throw new HeadwiseException("--target " + target + " is outside the input's " + input.length() + " tokens");
        }
        return new SessionAnalysis.Options(layer, head == null ? -1 : head, log, comparison(model, keepImageSize), target, threshold,
                relevancePosition, relevanceTarget);
    }

    /** The second input, resolved like the first, or null. */
    private ModelInput comparison(LoadedModel model, boolean keepImageSize) {
        int given = (compareText != null ? 1 : 0) + (compareIds != null ? 1 : 0) + (compareImage != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given > 1) {
            throw new HeadwiseException("give at most one of --compare-text, --compare-ids, --compare-image");
        }
        InputOptions second = new InputOptions();
        second.text = compareText;
        second.ids = compareIds;
        second.image = compareImage;
        return second.resolve(model, keepImageSize && compareImage != null);
    }
}
