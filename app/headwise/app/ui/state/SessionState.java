package headwise.app.ui.state;

import headwise.engine.load.BundledModels;

/**
 * Everything a session file keeps: which model, what input, what is selected, which interventions. Plain and
 * immutable; the app rebuilds the analysis from it (a session file never holds results).
 *
 * @param model       a bundled model's name or a model folder
 * @param text        the input text (or comma-separated ids for a model without a tokenizer)
 * @param compareText a second input for compare mode, or "" for none
 * @param image       an image file for vision models, or "" for none
 * @param layer       selected layer
 * @param head        selected head, −1 for none
 * @param logScale    heatmaps on a log10 colour scale
 * @param page        title of the page shown
 * @param plan        the interventions
 */
public record SessionState(String model, String text, String compareText, String image, int layer, int head,
                           boolean logScale, String page, InterventionPlan plan) {

    public static final String EXAMPLE = "The cat sat on the mat because it was tired.";

    public SessionState {
        model = model == null || model.isBlank() ? BundledModels.MINILM : model;
        text = text == null ? "" : text;
        compareText = compareText == null ? "" : compareText;
        image = image == null ? "" : image;
        layer = Math.max(0, layer);
        head = Math.max(-1, head);
        page = page == null ? "" : page;
        plan = plan == null ? InterventionPlan.none() : plan;
    }

    /** The bundled model with the example sentence: what a first start shows. */
    public static SessionState defaults() {
        return new SessionState(BundledModels.MINILM, EXAMPLE, "", "", 0, -1, false, "", InterventionPlan.none());
    }

    public SessionState withModel(String m) {
        return new SessionState(m, text, compareText, image, layer, head, logScale, page, plan);
    }

    public SessionState withText(String t) {
        return new SessionState(model, t, compareText, image, layer, head, logScale, page, plan);
    }

    public SessionState withCompareText(String t) {
        return new SessionState(model, text, t, image, layer, head, logScale, page, plan);
    }

    public SessionState withImage(String file) {
        return new SessionState(model, text, compareText, file, layer, head, logScale, page, plan);
    }

    public SessionState withSelection(int l, int h) {
        return new SessionState(model, text, compareText, image, l, h, logScale, page, plan);
    }

    public SessionState withLogScale(boolean log) {
        return new SessionState(model, text, compareText, image, layer, head, log, page, plan);
    }

    public SessionState withPage(String p) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, p, plan);
    }

    public SessionState withPlan(InterventionPlan p) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, page, p);
    }

    public boolean hasImage() {
        return !image.isBlank();
    }
}
