package headwise.engine.model;

/**
 * The switches that make the generic transformer forward one family or another (see ENGINE.md).
 * Read from config.json by a family's {@code WeightMapper}; immutable.
 *
 * @param family        "gpt2", "bert", ... (the mapper that built it)
 * @param architecture  what config.json called it (e.g. GPT2LMHeadModel), for display
 * @param maxPositions  longest input the position embedding allows; 0 when unbounded (RoPE)
 * @param rope          rotary embedding settings, or null for learned absolute positions
 * @param slidingWindow a causal query sees only the last {@code slidingWindow} keys (Mistral); 0 = all
 * @param vision        image input settings for vision transformers, or null for token input
 */
public record ModelSpec(
        String family,
        String architecture,
        int layers,
        int heads,
        int kvHeads,
        int dModel,
        int dHead,
        int dMlp,
        int vocabSize,
        int maxPositions,
        boolean causal,
        Norm norm,
        boolean postNorm,
        double normEps,
        Activation activation,
        Output output,
        Rope rope,
        int slidingWindow,
        Vision vision) {

    public enum Norm { LAYER_NORM, RMS_NORM }

    public enum Activation { GELU_TANH, GELU_ERF, RELU, SILU_GATED }

    /** What {@code output.npy} holds. */
    public enum Output { LM_LOGITS, HIDDEN_STATE, CLASS_LOGITS }

    /** Which channel pairs RoPE rotates: Hugging Face rotates halves, llama2.c/GGUF/Meta adjacent pairs. */
    public enum RopeLayout { ROTATE_HALF, ADJACENT_PAIRS }

    /** @param scaling null for plain RoPE */
    public record Rope(double theta, RopeLayout layout, RopeScaling scaling) {
    }

    /**
     * Hugging Face's rope_scaling: "linear" divides every frequency by {@code factor}; "llama3" divides only the
     * low frequencies, blending smoothly between {@code lowFreqFactor} and {@code highFreqFactor} wavelengths.
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
    }

    /**
     * @param distillationToken DeiT's second learned token after CLS (its classifier is averaged with CLS's)
     */
    public record Vision(int imageSize, int patchSize, int channels, boolean distillationToken) {
        public int patchesPerSide() {
            return imageSize / patchSize;
        }

        /** Tokens the encoder sees: CLS, the distillation token if any, then the patches row-major. */
        public int tokens() {
            return 1 + (distillationToken ? 1 : 0) + patchesPerSide() * patchesPerSide();
        }
    }

    public ModelSpec {
        if (layers <= 0 || heads <= 0 || kvHeads <= 0 || dModel <= 0 || dHead <= 0 || dMlp <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("model dimensions must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of key/value heads (" + kvHeads + ")");
        }
    }

    /** This spec with another RoPE and display name (a GGUF's Llama stores q/k rows in adjacent-pair order). */
    public ModelSpec withRope(Rope newRope, String newArchitecture) {
        return new ModelSpec(family, newArchitecture, layers, heads, kvHeads, dModel, dHead, dMlp, vocabSize, maxPositions, causal,
                norm, postNorm, normEps, activation, output, newRope, slidingWindow, vision);
    }

    /** Output width of the final projection: vocabulary for LMs, hidden width for bare encoders. */
    public int outputWidth() {
        return output == Output.HIDDEN_STATE ? dModel : vocabSize;
    }
}
