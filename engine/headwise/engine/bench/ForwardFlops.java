package headwise.engine.bench;

import headwise.engine.model.ModelSpec;

/**
 * Floating-point operations of one forward (a multiply-add counts 2), matrix products only: they are all but a
 * few percent of the arithmetic, and what the GEMM rate is compared against to give the forward's utilisation.
 */
public final class ForwardFlops {

    private ForwardFlops() {
    }

    public static double of(ModelSpec spec, int tokens) {
        double t = tokens;
        double d = spec.dModel();
        double attentionWidth = (double) spec.heads() * spec.dHead();
        double kvWidth = (double) spec.kvHeads() * spec.dHead();
        double projections = 2 * t * d * (attentionWidth + 2 * kvWidth) + 2 * t * attentionWidth * d;
        double scoresAndMix = 2 * 2 * spec.heads() * t * t * spec.dHead();
        int mlpMatrices = spec.activation().gated() ? 3 : 2;
        double mlp = 2 * t * d * spec.dMlp() * mlpMatrices;
        return spec.layers() * (projections + scoresAndMix + mlp) + unembed(spec, tokens);
    }

    /** The vocabulary projection's share of {@link #of}: what a run without logits leaves out. */
    public static double unembed(ModelSpec spec, int tokens) {
        return spec.output() == ModelSpec.Output.LM_LOGITS ? 2.0 * tokens * spec.dModel() * spec.vocabSize() : 0;
    }
}
