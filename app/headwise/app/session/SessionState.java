package headwise.app.session;

import headwise.engine.load.BundledModels;

/**
 * Everything a session file keeps: which model, what input, which interventions, which page, and the
 * {@link Selection}. Plain and immutable; the app rebuilds the analysis from it (a session file never holds results).
 *
 * @param model        a bundled model's name or a model folder
 * @param text         the input text (or comma-separated ids for a model without a tokenizer)
 * @param compareText  a second input for compare mode, or "" for none
 * @param image        an image file for vision models, or "" for none
 * @param page         title of the page shown
 * @param plan         the interventions
 * @param compareModel a second model (bundled name or folder) run on the same input for compare mode, or "" for none
 * @param selection    what is selected and how it is drawn
 * @param theme        the window's look (light or dark)
 */
public record SessionState(String model, String text, String compareText, String image, String page, InterventionPlan plan,
                           String compareModel, Selection selection, Theme theme) {

    public static final String EXAMPLE = "The cat sat on the mat because it was tired.";

    public SessionState {
        model = model == null || model.isBlank() ? BundledModels.MINILM : model;
        text = text == null ? "" : text;
        compareText = compareText == null ? "" : compareText;
        image = image == null ? "" : image;
        page = page == null ? "" : page;
        plan = plan == null ? InterventionPlan.none() : plan;
        compareModel = compareModel == null ? "" : compareModel.strip();
        selection = selection == null ? Selection.defaults() : selection;
        theme = theme == null ? Theme.LIGHT : theme;
    }

    /** A state in the light theme (callers that predate themes). */
    public SessionState(String model, String text, String compareText, String image, String page, InterventionPlan plan,
                        String compareModel, Selection selection) {
        this(model, text, compareText, image, page, plan, compareModel, selection, Theme.LIGHT);
    }

    /** The bundled model with the example sentence: what a first start shows. */
    public static SessionState defaults() {
        return new SessionState(BundledModels.MINILM, EXAMPLE, "", "", "", InterventionPlan.none(), "", Selection.defaults());
    }

    public SessionState withModel(String m) {
        return new SessionState(m, text, compareText, image, page, plan, compareModel, selection, theme);
    }

    public SessionState withText(String t) {
        return new SessionState(model, t, compareText, image, page, plan, compareModel, selection, theme);
    }

    public SessionState withCompareText(String t) {
        return new SessionState(model, text, t, image, page, plan, compareModel, selection, theme);
    }

    public SessionState withImage(String file) {
        return new SessionState(model, text, compareText, file, page, plan, compareModel, selection, theme);
    }

    public SessionState withPage(String p) {
        return new SessionState(model, text, compareText, image, p, plan, compareModel, selection, theme);
    }

    public SessionState withPlan(InterventionPlan p) {
        return new SessionState(model, text, compareText, image, page, p, compareModel, selection, theme);
    }

    /** The second model of compare mode ("" for none). */
    public SessionState withCompareModel(String m) {
        return new SessionState(model, text, compareText, image, page, plan, m, selection, theme);
    }

    public SessionState withSelection(Selection s) {
        return new SessionState(model, text, compareText, image, page, plan, compareModel, s, theme);
    }

    public SessionState withTheme(Theme t) {
        return new SessionState(model, text, compareText, image, page, plan, compareModel, selection, t);
    }

    public boolean hasCompareModel() {
        return !compareModel.isEmpty();
    }

    public boolean hasImage() {
        return !image.isBlank();
    }
}
