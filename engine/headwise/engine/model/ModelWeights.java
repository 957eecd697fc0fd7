package headwise.engine.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Canonical weights every family maps onto. Matrices are [in, out] (y = x·W + b), whatever the checkpoint stored.
 *
 * @param positionEmbed  [maxPositions, d] or null (RoPE)
 * @param tokenTypeEmbed [types, d] or null; BERT adds row 0 for every token
 * @param embedNorm      BERT's LayerNorm after the embeddings, or null
 * @param finalNorm      the final norm before the output (pre-norm models), or null
 * @param unembed        [d, outputs] projection to logits (or to classes from the CLS token), or null for bare encoders
 * @param vision         patch embedding and special tokens of vision transformers, or null
 * @param projectIn      OPT's project_in from the token embedding's width to d_model (before positions), or null
 * @param projectOut     OPT's project_out from d_model back to the embedding's width (before the unembedding), or null
 */
public record ModelWeights(
        INDArray tokenEmbed,
        INDArray positionEmbed,
        INDArray tokenTypeEmbed,
        NormWeights embedNorm,
        List<LayerWeights> layers,
        NormWeights finalNorm,
        Linear unembed,
        VisionWeights vision,
        Linear projectIn,
        Linear projectOut) {

    public ModelWeights(INDArray tokenEmbed, INDArray positionEmbed, INDArray tokenTypeEmbed, NormWeights embedNorm,
                        List<LayerWeights> layers, NormWeights finalNorm, Linear unembed, VisionWeights vision) {
        this(tokenEmbed, positionEmbed, tokenTypeEmbed, embedNorm, layers, finalNorm, unembed, vision, null, null);
    }

    /** y = x·weight + bias; weight [in, out], bias [out] or null. */
    public record Linear(INDArray weight, INDArray bias) {
    }

    /**
     * @param patchEmbed             the patch convolution as a Linear over flattened patches [channels·P·P (c, y, x order), d]
     * @param clsToken               [d], or null when the tower has no CLS (SigLIP)
     * @param distillationToken      [d] or null (DeiT)
     * @param positions              [tokens, d], CLS (and distillation token) first
     * @param distillationClassifier DeiT's second head on the distillation token, or null
     * @param preNorm                CLIP's pre_layrnorm on the embedded tokens before the first block, or null
     */
    public record VisionWeights(Linear patchEmbed, INDArray clsToken, INDArray distillationToken, INDArray positions,
                                Linear distillationClassifier, NormWeights preNorm) {

        public VisionWeights(Linear patchEmbed, INDArray clsToken, INDArray distillationToken, INDArray positions,
                             Linear distillationClassifier) {
            this(patchEmbed, clsToken, distillationToken, positions, distillationClassifier, null);
        }
    }

    /** gain [d], bias [d] (null for RMSNorm). */
    public record NormWeights(INDArray gain, INDArray bias) {
    }

    /**
     * One block. q/k/v/o are the attention projections ([d, heads·dHead], [heads·dHead, d]);
     * mlpGate is null unless the MLP is gated (SwiGLU: out(silu(gate(x)) · in(x))).
     * qNorm/kNorm: RMSNorm gains [dHead] applied to each head's q and k before RoPE (Qwen3, Gemma-3), or null.
     * postAttnNorm/postMlpNorm: Gemma-2/3's norms on the attention and MLP outputs before they join the residual
     * stream (the "sandwich"), or null.
     */
    public record LayerWeights(
            NormWeights attnNorm,
            Linear q,
            Linear k,
            Linear v,
            Linear o,
            NormWeights mlpNorm,
            Linear mlpIn,
            Linear mlpGate,
            Linear mlpOut,
            NormWeights qNorm,
            NormWeights kNorm,
            NormWeights postAttnNorm,
            NormWeights postMlpNorm) {

        public LayerWeights(NormWeights attnNorm, Linear q, Linear k, Linear v, Linear o, NormWeights mlpNorm,
                            Linear mlpIn, Linear mlpGate, Linear mlpOut) {
            this(attnNorm, q, k, v, o, mlpNorm, mlpIn, mlpGate, mlpOut, null, null, null, null);
        }

        public LayerWeights withHeadNorms(NormWeights qNorm, NormWeights kNorm) {
            return new LayerWeights(attnNorm, q, k, v, o, mlpNorm, mlpIn, mlpGate, mlpOut, qNorm, kNorm, postAttnNorm,
                    postMlpNorm);
        }

        public LayerWeights withSandwichNorms(NormWeights postAttn, NormWeights postMlp) {
            return new LayerWeights(attnNorm, q, k, v, o, mlpNorm, mlpIn, mlpGate, mlpOut, qNorm, kNorm, postAttn, postMlp);
        }
    }
}
