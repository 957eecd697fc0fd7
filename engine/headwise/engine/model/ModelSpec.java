package headwise.engine.model;

/**
 * The switches that make the generic transformer forward one family or another (see ENGINE.md).
 * Read from config.json by a family's {@code WeightMapper}; immutable.
 *
 * @param family        "gpt2", "bert", ... (the mapper that built it)
 * @param architecture  what config.json called it (e.g. GPT2LMHeadModel), for display
 * @param maxPositions  longest input the position embedding allows; 0 when unbounded (RoPE)
 * @param rope          rotary embedding settings, or null for learned absolute positions
 * @param slidingWindow a causal query sees only the last {@code slidingWindow} keys (Mistral); 0 = all. Which layers
 *                      slide is {@link Variant#slidingLayers}: by default every layer
 * @param vision        image input settings for vision transformers, or null for token input
 * @param variant       the switches newer families add (Gemma, GPT-NeoX, …); {@link Variant#STANDARD} is none of them
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
        Vision vision,
        Variant variant) {

    public enum Norm { LAYER_NORM, RMS_NORM }

    /** The MLP's activation; the gated ones multiply it, applied to a gate projection, with the up projection. */
    public enum Activation {
        GELU_TANH, GELU_ERF, RELU, SILU_GATED, GELU_TANH_GATED,
        /** CLIP's quick_gelu: x·sigmoid(1.702·x). */
        GELU_QUICK;

        public boolean gated() {
            return this == SILU_GATED || this == GELU_TANH_GATED;
        }
    }

    /** What {@code output.npy} holds. */
    public enum Output { LM_LOGITS, HIDDEN_STATE, CLASS_LOGITS }

    /** Which channel pairs RoPE rotates: Hugging Face rotates halves, llama2.c/GGUF/Meta adjacent pairs. */
    public enum RopeLayout { ROTATE_HALF, ADJACENT_PAIRS }

    /**
     * @param scaling    null for plain RoPE
     * @param rotaryDims how many leading channels of each head rotate (GPT-NeoX's rotary_pct, Phi-3's
     *                   partial_rotary_factor); the rest pass through. 0 = all of them
     */
    public record Rope(double theta, RopeLayout layout, RopeScaling scaling, int rotaryDims) {
        public Rope(double theta, RopeLayout layout, RopeScaling scaling) {
            this(theta, layout, scaling, 0);
        }

        /** Channels rotated in a head of {@code dHead}. */
        public int rotated(int dHead) {
            return rotaryDims == 0 ? dHead : rotaryDims;
        }
    }

    /**
     * Switches of the newer families, each defaulting (in {@link #STANDARD}) to what GPT-2, BERT and Llama do.
     *
     * @param parallelResidual GPT-NeoX: resid_post = resid_pre + attn(ln1 resid_pre) + mlp(ln2 resid_pre)
     * @param embedScale       the token embeddings are multiplied by this (Gemma: √d_model in float32); 1 = none
     * @param attentionScale   scores are q·kᵀ times this (Gemma-2/3: query_pre_attn_scalar^−½); 0 = 1/√d_head
     * @param scoreSoftcap     scaled scores become cap·tanh(s/cap) before the mask (Gemma-2); 0 = none
     * @param logitSoftcap     final logits become cap·tanh(l/cap) (Gemma-2); 0 = none
     * @param slidingLayers    per layer, whether {@code slidingWindow} applies to it (Gemma-2/3, Qwen2); null = all
     * @param localRope        the rotary settings of sliding layers (Gemma-3's rope_local_base_freq); null = {@code rope}
     */
    public record Variant(boolean parallelResidual, double embedScale, double attentionScale, double scoreSoftcap,
                          double logitSoftcap, java.util.List<Boolean> slidingLayers, Rope localRope) {

        public static final Variant STANDARD = new Variant(false, 1, 0, 0, 0, null, null);

        public Variant {
            slidingLayers = slidingLayers == null ? null : java.util.List.copyOf(slidingLayers);
        }

        public Variant withParallelResidual(boolean parallel) {
            return new Variant(parallel, embedScale, attentionScale, scoreSoftcap, logitSoftcap, slidingLayers, localRope);
        }

        public Variant withEmbedScale(double scale) {
            return new Variant(parallelResidual, scale, attentionScale, scoreSoftcap, logitSoftcap, slidingLayers, localRope);
        }

        public Variant withAttentionScale(double scale) {
            return new Variant(parallelResidual, embedScale, scale, scoreSoftcap, logitSoftcap, slidingLayers, localRope);
        }

        public Variant withSoftcaps(double scores, double logits) {
            return new Variant(parallelResidual, embedScale, attentionScale, scores, logits, slidingLayers, localRope);
        }

        public Variant withSlidingLayers(java.util.List<Boolean> sliding, Rope local) {
            return new Variant(parallelResidual, embedScale, attentionScale, scoreSoftcap, logitSoftcap, sliding, local);
        }
    }

    /**
     * Hugging Face's rope_scaling: "linear" divides every frequency by {@code factor}; "llama3" divides only the
     * low frequencies, blending smoothly between {@code lowFreqFactor} and {@code highFreqFactor} wavelengths;
     * "factors" divides pair i's frequency by {@code frequencyFactors[i]} (llama.cpp's rope_freqs tensor, which its
     * converter computes from Llama-3.1's llama3 parameters).
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions,
                              java.util.List<Double> frequencyFactors) {
        public RopeScaling {
            frequencyFactors = frequencyFactors == null ? null : java.util.List.copyOf(frequencyFactors);
        }

        public RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
            this(type, factor, lowFreqFactor, highFreqFactor, originalMaxPositions, null);
        }

        public static RopeScaling ofFrequencyFactors(java.util.List<Double> factors) {
            return new RopeScaling("factors", 0, 0, 0, 0, factors);
        }
    }

    /**
     * @param distillationToken DeiT's second learned token after CLS (its classifier is averaged with CLS's)
     * @param classToken        a learned CLS token first (ViT, DeiT, CLIP); SigLIP has none
     */
    public record Vision(int imageSize, int patchSize, int channels, boolean distillationToken, boolean classToken) {

        /** A tower with a CLS token (ViT, DeiT). */
        public Vision(int imageSize, int patchSize, int channels, boolean distillationToken) {
            this(imageSize, patchSize, channels, distillationToken, true);
        }

        public int patchesPerSide() {
            return imageSize / patchSize;
        }

        /** Learned tokens before the patches: CLS (if any), then the distillation token (if any). */
        public int specialTokens() {
            return (classToken ? 1 : 0) + (distillationToken ? 1 : 0);
        }

        /** Tokens the encoder sees: CLS, the distillation token if any, then the patches row-major. */
        public int tokens() {
            return specialTokens() + patchesPerSide() * patchesPerSide();
        }
    }

    /** A spec without any of the newer families' switches ({@link Variant#STANDARD}). */
    public ModelSpec(String family, String architecture, int layers, int heads, int kvHeads, int dModel, int dHead,
                     int dMlp, int vocabSize, int maxPositions, boolean causal, Norm norm, boolean postNorm,
                     double normEps, Activation activation, Output output, Rope rope, int slidingWindow, Vision vision) {
        this(family, architecture, layers, heads, kvHeads, dModel, dHead, dMlp, vocabSize, maxPositions, causal, norm,
                postNorm, normEps, activation, output, rope, slidingWindow, vision, Variant.STANDARD);
    }

    public ModelSpec {
        if (variant == null) {
            variant = Variant.STANDARD;
        }
        if (variant.slidingLayers() != null && variant.slidingLayers().size() != layers) {
            throw new IllegalArgumentException(variant.slidingLayers().size() + " sliding-layer flags for " + layers + " layers");
        }
        if (layers <= 0 || heads <= 0 || kvHeads <= 0 || dModel <= 0 || dHead <= 0 || dMlp <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("model dimensions must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of key/value heads (" + kvHeads + ")");
        }
    }

    /** This spec with another RoPE and display name (Phi-3's partial rotary; a GGUF's Llama with adjacent-pair q/k rows). */
    public ModelSpec withRope(Rope newRope, String newArchitecture) {
        return new ModelSpec(family, newArchitecture, layers, heads, kvHeads, dModel, dHead, dMlp, vocabSize, maxPositions, causal,
                norm, postNorm, normEps, activation, output, newRope, slidingWindow, vision, variant);
    }

    /** Keys a query of {@code layer} may look back (0 = all): the sliding window where that layer slides. */
    public int window(int layer) {
        return variant.slidingLayers() == null || variant.slidingLayers().get(layer) ? slidingWindow : 0;
    }

    /** The rotary settings of {@code layer} (sliding layers may have their own), or null without RoPE. */
    public Rope rope(int layer) {
        return variant.localRope() != null && window(layer) > 0 ? variant.localRope() : rope;
    }

    /** What q·kᵀ is multiplied by before the softmax. */
    public double attentionScale() {
        return variant.attentionScale() > 0 ? variant.attentionScale() : 1.0 / Math.sqrt(dHead);
    }

    /** Output width of the final projection: vocabulary for LMs, hidden width for bare encoders. */
    public int outputWidth() {
        return output == Output.HIDDEN_STATE ? dModel : vocabSize;
    }
}
