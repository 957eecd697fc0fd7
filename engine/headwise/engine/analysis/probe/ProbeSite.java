package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;

import java.util.Arrays;
import java.util.function.IntFunction;

/** Where in each block the probed representation is read (TransformerLens hook names). */
public enum ProbeSite {
    RESID_POST("hook_resid_post", HookNames::residPost),
    RESID_MID("hook_resid_mid", HookNames::residMid),
    /** The MLP's normalized input (pre-norm models; for post-norm models, ln2 follows the MLP: see HookNames). */
    LN2_NORMALIZED("ln2.hook_normalized", HookNames::ln2Normalized),
    /** All heads' outputs z, concatenated. */
    Z("attn.hook_z", HookNames::z);

    private final String hook;
    private final IntFunction<String> hookName;

    ProbeSite(String hook, IntFunction<String> hookName) {
        this.hook = hook;
        this.hookName = hookName;
    }

    /** The per-block hook, as the user names it: "hook_resid_post", "ln2.hook_normalized", "attn.hook_z"… */
    public String hook() {
        return hook;
    }

    public String hookName(int layer) {
        return hookName.apply(layer);
    }

    /** The site a user names by its hook ("hook_resid_post"), with or without a "blocks.{l}." prefix or "attn.". */
    public static ProbeSite parse(String name) {
        String bare = name.trim().replaceFirst("^blocks\\.(\\{l}|\\d+)\\.", "");
        for (ProbeSite site : values()) {
            if (site.hook.equals(bare) || site.hook.equals("attn." + bare) || site.name().equalsIgnoreCase(bare)) {
                return site;
            }
        }
        throw new HeadwiseException("--site: unknown probe site '" + name + "'; choose one of "
                + Arrays.stream(values()).map(ProbeSite::hook).toList());
    }
}
