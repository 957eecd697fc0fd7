package headwise.engine.hooks;

/**
 * Hook point names, as TransformerLens spells them, shared by engine, UI and exports.
 * Shapes: residual hooks [batch, pos, d_model]; q/k/v/z [batch, pos, head, d_head];
 * attn_scores and pattern [batch, head, query, key].
 */
public final class HookNames {

    public static final String EMBED = "hook_embed";
    public static final String FINAL_NORMALIZED = "ln_final.hook_normalized";
    public static final String LOGITS = "hook_logits";

    private HookNames() {
    }

    public static String residPre(int layer) {
        return block(layer, "hook_resid_pre");
    }

    public static String q(int layer) {
        return block(layer, "attn.hook_q");
    }

    public static String k(int layer) {
        return block(layer, "attn.hook_k");
    }

    public static String v(int layer) {
        return block(layer, "attn.hook_v");
    }

    public static String attnScores(int layer) {
        return block(layer, "attn.hook_attn_scores");
    }

    public static String pattern(int layer) {
        return block(layer, "attn.hook_pattern");
    }

    public static String z(int layer) {
        return block(layer, "attn.hook_z");
    }

    public static String attnOut(int layer) {
        return block(layer, "hook_attn_out");
    }

    public static String residMid(int layer) {
        return block(layer, "hook_resid_mid");
    }

    public static String mlpOut(int layer) {
        return block(layer, "hook_mlp_out");
    }

    /**
     * The output of the block's second norm (ln2): in pre-norm models the MLP's normalized input (with a parallel
     * residual, ln2 of resid_pre); in post-norm models (BERT) ln2 follows the MLP, so it equals hook_resid_post, as in
     * TransformerLens.
     */
    public static String ln2Normalized(int layer) {
        return block(layer, "ln2.hook_normalized");
    }

    public static String residPost(int layer) {
        return block(layer, "hook_resid_post");
    }

    private static String block(int layer, String hook) {
        return "blocks." + layer + "." + hook;
    }
}
