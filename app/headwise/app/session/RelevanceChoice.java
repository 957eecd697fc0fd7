package headwise.app.session;

/**
 * The Relevance page's choices, kept in the session: which methods it shows, which output it explains and what a
 * removed unit becomes in the faithfulness curves.
 *
 * @param method   a method's id (docs/relevance.md) or {@link #ALL} for every method side by side
 * @param target   the token id / class / dimension explained, −1 for the top output
 * @param position the output position explained, −1 for the default (the last token; CLS)
 * @param baseline the faithfulness baseline's name (FaithfulnessBaseline), "" for the model's default
 * @param computed the page has computed maps in this session: a restored session computes them again for its run,
 *                 so they are part of its results (the Importance page's head relevance)
 */
public record RelevanceChoice(String method, int target, int position, String baseline, boolean computed) {

    public static final String ALL = "all methods";

    public RelevanceChoice {
        method = method == null || method.isBlank() ? ALL : method;
        target = Math.max(-1, target);
        position = target < 0 ? -1 : Math.max(-1, position);
        baseline = baseline == null ? "" : baseline.strip();
    }

    public static RelevanceChoice defaults() {
        return new RelevanceChoice(ALL, -1, -1, "", false);
    }

    public RelevanceChoice withMethod(String m) {
        return new RelevanceChoice(m, target, position, baseline, computed);
    }

    /** @param t −1 for the top output (the position then is the default too) */
    public RelevanceChoice withTarget(int p, int t) {
        return new RelevanceChoice(method, t, p, baseline, computed);
    }

    public RelevanceChoice withBaseline(String b) {
        return new RelevanceChoice(method, target, position, b, computed);
    }

    public RelevanceChoice withComputed(boolean c) {
        return new RelevanceChoice(method, target, position, baseline, c);
    }

    /** The requested output position for the engine, null for the default. */
    public Integer positionOrNull() {
        return target < 0 || position < 0 ? null : position;
    }

    /** The requested id / class / dimension for the engine, null for the top output. */
    public Integer targetOrNull() {
        return target < 0 ? null : target;
    }
}
