package headwise.app.session;

/**
 * What the user has chosen to look at, in one place: the views draw it, session files keep it, nothing computes it.
 *
 * @param layer      selected layer
 * @param head       selected head; −1 = none chosen: the head view draws all heads of the layer, the other
 *                   single-head views head 0
 * @param logScale   heatmap colours in log10 instead of linear
 * @param importance the measure the model view's bars show (drawn only once that measure is computed)
 * @param query      the heatmap's selected query row, −1 for none
 * @param key        the heatmap's selected key column, −1 for none
 * @param qkLayer    layer of the head whose q/k projection is shown, −1: the heatmap's head
 * @param qkHead     head of that projection (with {@code qkLayer}), −1: the heatmap's head
 * @param relevance  the Relevance page's choices
 * @param keysByClass the attention views group keys by token class (system, text, image, generated) where the run has
 *                    classes, rather than showing them by position
 */
public record Selection(int layer, int head, boolean logScale, ImportanceChoice importance, int query, int key,
                        int qkLayer, int qkHead, RelevanceChoice relevance, boolean keysByClass) {

    /** Keys by position. */
    public Selection(int layer, int head, boolean logScale, ImportanceChoice importance, int query, int key, int qkLayer, int qkHead,
                     RelevanceChoice relevance) {
        this(layer, head, logScale, importance, query, key, qkLayer, qkHead, relevance, false);
    }

    /** With the Relevance page's defaults. */
    public Selection(int layer, int head, boolean logScale, ImportanceChoice importance, int query, int key, int qkLayer, int qkHead) {
        this(layer, head, logScale, importance, query, key, qkLayer, qkHead, RelevanceChoice.defaults());
    }

    public Selection {
        layer = Math.max(0, layer);
        head = Math.max(-1, head);
        importance = importance == null ? ImportanceChoice.ZERO_ABLATION : importance;
        query = Math.max(-1, query);
        key = Math.max(-1, key);
        if (qkLayer < 0 || qkHead < 0) {
            qkLayer = -1;
            qkHead = -1;
        }
        relevance = relevance == null ? RelevanceChoice.defaults() : relevance;
    }

    /** Layer 0, no head, linear colours, zero-ablation bars, nothing selected in the heatmap. */
    public static Selection defaults() {
        return new Selection(0, -1, false, ImportanceChoice.ZERO_ABLATION, -1, -1, -1, -1);
    }

    /** @param h −1 for none */
    public Selection withHead(int l, int h) {
        return new Selection(l, h, logScale, importance, query, key, qkLayer, qkHead, relevance, keysByClass);
    }

    public Selection withLogScale(boolean log) {
        return new Selection(layer, head, log, importance, query, key, qkLayer, qkHead, relevance, keysByClass);
    }

    public Selection withImportance(ImportanceChoice choice) {
        return new Selection(layer, head, logScale, choice, query, key, qkLayer, qkHead, relevance, keysByClass);
    }

    /** The heatmap's selected row and column (−1 for none). */
    public Selection withCells(int q, int k) {
        return new Selection(layer, head, logScale, importance, q, k, qkLayer, qkHead, relevance, keysByClass);
    }

    /** The head of the q/k projection; (−1, −1): the heatmap's head. */
    public Selection withQkHead(int l, int h) {
        return new Selection(layer, head, logScale, importance, query, key, l, h, relevance, keysByClass);
    }

    public Selection withRelevance(RelevanceChoice choice) {
        return new Selection(layer, head, logScale, importance, query, key, qkLayer, qkHead, choice, keysByClass);
    }

    /** Keys grouped by token class (true) or by position. */
    public Selection withKeysByClass(boolean byClass) {
        return new Selection(layer, head, logScale, importance, query, key, qkLayer, qkHead, relevance, byClass);
    }

    /** The same choices with the layer and head moved inside a model of this shape. */
    public Selection fittedTo(int layers, int heads) {
        return withHead(Math.min(layer, layers - 1), Math.min(head, heads - 1));
    }

    /** The selected head, or 0 when none is chosen. */
    public int headOrFirst() {
        return Math.max(0, head);
    }

    /** Whether the q/k projection shows its own head rather than the heatmap's. */
    public boolean qkPinned() {
        return qkLayer >= 0;
    }
}
