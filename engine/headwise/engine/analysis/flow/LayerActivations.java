package headwise.engine.analysis.flow;

/**
 * One layer's hook values for one sequence (batch element 0), copied out of ND4J as float32 arrays, row-major.
 * Parts that were not asked for are null.
 *
 * @param residPre  [T·d] blocks.l.hook_resid_pre
 * @param pattern   [H][T·T] attn.hook_pattern, row = query
 * @param v         [T·kvHeads·dHead] attn.hook_v (x·W_V + b_V of the attention's input)
 * @param residMid  [T·d] hook_resid_mid
 * @param mlpOut    [T·d] hook_mlp_out
 * @param residPost [T·d] hook_resid_post
 */
public record LayerActivations(int layer, int tokens, float[] residPre, float[][] pattern, float[] v,
                               float[] residMid, float[] mlpOut, float[] residPost) {

    /** The hook values a consumer can ask for. */
    public enum Part { RESID_PRE, PATTERN, V, RESID_MID, MLP_OUT, RESID_POST }
}
