package headwise.app.ui.state;

import headwise.app.export.ImportanceChoice;
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
 * @param query       the heatmap's selected query row, −1 for none
 * @param key         the heatmap's selected key column, −1 for none
 * @param qkLayer     layer of the head whose q/k projection is shown, −1: the heatmap's head
 * @param qkHead      head of that projection (with {@code qkLayer}), −1: the heatmap's head
 * @param importance  the measure the model view's bars show
 * @param compareModel a second model (bundled name or folder) run on the same input for compare mode, or "" for none
 */
public record SessionState(String model, String text, String compareText, String image, int layer, int head,
                           boolean logScale, String page, InterventionPlan plan, int query, int key, int qkLayer, int qkHead,
                           ImportanceChoice importance, String compareModel) {

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
        query = Math.max(-1, query);
        key = Math.max(-1, key);
        if (qkLayer < 0 || qkHead < 0) {
            qkLayer = -1;
            qkHead = -1;
        }
        importance = importance == null ? ImportanceChoice.ZERO_ABLATION : importance;
        compareModel = compareModel == null ? "" : compareModel.strip();
    }

    /** A state with nothing selected in the heatmap, the q/k projection following it, zero-ablation bars. */
    public SessionState(String model, String text, String compareText, String image, int layer, int head,
                        boolean logScale, String page, InterventionPlan plan) {
        this(model, text, compareText, image, layer, head, logScale, page, plan, -1, -1, -1, -1, ImportanceChoice.ZERO_ABLATION, "");
    }

    /** The bundled model with the example sentence: what a first start shows. */
    public static SessionState defaults() {
        return new SessionState(BundledModels.MINILM, EXAMPLE, "", "", 0, -1, false, "", InterventionPlan.none());
    }

    public SessionState withModel(String m) {
        return new SessionState(m, text, compareText, image, layer, head, logScale, page, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withText(String t) {
        return new SessionState(model, t, compareText, image, layer, head, logScale, page, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withCompareText(String t) {
        return new SessionState(model, text, t, image, layer, head, logScale, page, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withImage(String file) {
        return new SessionState(model, text, compareText, file, layer, head, logScale, page, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withSelection(int l, int h) {
        return new SessionState(model, text, compareText, image, l, h, logScale, page, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withLogScale(boolean log) {
        return new SessionState(model, text, compareText, image, layer, head, log, page, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withPage(String p) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, p, plan, query, key, qkLayer, qkHead, importance, compareModel);
    }

    public SessionState withPlan(InterventionPlan p) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, page, p, query, key, qkLayer, qkHead, importance, compareModel);
    }

    /** The heatmap's selected row and column (−1 for none). */
    public SessionState withCells(int q, int k) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, page, plan, q, k, qkLayer, qkHead, importance, compareModel);
    }

    /** The head of the q/k projection; (−1, −1): the heatmap's head. */
    public SessionState withQkHead(int l, int h) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, page, plan, query, key, l, h, importance, compareModel);
    }

    /** The second model of compare mode ("" for none). */
    public SessionState withCompareModel(String m) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, page, plan, query, key, qkLayer, qkHead, importance, m);
    }

    public boolean hasCompareModel() {
        return !compareModel.isEmpty();
    }

    public SessionState withImportance(ImportanceChoice choice) {
        return new SessionState(model, text, compareText, image, layer, head, logScale, page, plan, query, key, qkLayer, qkHead, choice, compareModel);
    }

    /** Whether the q/k projection shows its own head rather than the heatmap's. */
    public boolean qkPinned() {
        return qkLayer >= 0;
    }

    public boolean hasImage() {
        return !image.isBlank();
    }
}
