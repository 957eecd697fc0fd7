package headwise.app.ui.page;

/** One head of a model: a page's own choice (its layer and head spinners), one value so both change together. */
public record HeadIndex(int layer, int head) {
}
