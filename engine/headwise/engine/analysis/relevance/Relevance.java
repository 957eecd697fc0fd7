package headwise.engine.analysis.relevance;

import headwise.engine.analysis.Rollout;
import headwise.engine.analysis.importance.GatedForward;
import headwise.engine.analysis.importance.Objective;
import headwise.engine.analysis.importance.Readout;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.Transformer;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.util.ArrayList;
import java.util.List;

/**
 * Relevance maps (docs/relevance.md): which input tokens or patches one output scalar rests on. The gradient ×
 * input methods run one forward and one backward of {@link GatedForward} under their rules; Chefer's needs the
 * plain gradient of every attention pattern (the same graph with pattern gates); rollout reads the model's own
 * attention. Text joined with an image (a vision-language model's decoder input) is explained per position of the
 * joined sequence, the joined embedding rows being the input (docs/relevance.md).
 */
public final class Relevance {

    private Relevance() {
    }

    /** What a request resolves to: the model's own forward, the readout and the target. */
    public record Prepared(ModelInput input, AnalysisResult forward, Readout readout, RelevanceTarget target) {
    }

    /**
     * Runs the model once and resolves the target (see {@link RelevanceTarget#resolve}).
     *
     * @param position requested output row or null; @param id requested id/class/dimension or null
     */
    public static Prepared prepare(LoadedModel model, ModelInput input, Integer position, Integer id) {
        AnalysisResult forward = Analyzer.analyze(model, input);
        Readout readout = readout(model);
        return new Prepared(input, forward, readout, RelevanceTarget.resolve(readout, forward.output(), position, id));
    }

    /** What the model's output is: logits of tokens or classes, or a bare hidden state. */
    public static Readout readout(LoadedModel model) {
        return Readout.of(model.spec(), model.transformer().weights());
    }

    public static RelevanceMap compute(LoadedModel model, Prepared prepared, RelevanceMethod method) {
        return compute(model, prepared, method, null);
    }

    /** Every method's map; a GPT-2-style decoder's backwards all read one capturing forward. */
    public static List<RelevanceMap> computeAll(LoadedModel model, Prepared prepared) {
        DecoderBackward.Captured shared = handWritten(model.transformer(), prepared)
                ? DecoderBackward.capture(model.transformer(), prepared.input().ids()) : null;
        List<RelevanceMap> maps = new ArrayList<>();
        for (RelevanceMethod m : RelevanceMethod.values()) {
            maps.add(compute(model, prepared, m, shared));
        }
        return maps;
    }

    /** @param shared the capturing forward of the hand-written backward, or null (captured when needed) */
    private static RelevanceMap compute(LoadedModel model, Prepared prepared, RelevanceMethod method, DecoderBackward.Captured shared) {
        return switch (method) {
            case GRAD_INPUT -> gradientTimesInput(model.transformer(), prepared, method, GatedForward.Rules.GRADIENT, shared);
            case ATTN_LRP -> gradientTimesInput(model.transformer(), prepared, method, GatedForward.Rules.ATTN_LRP, shared);
            case CP_LRP -> gradientTimesInput(model.transformer(), prepared, method, GatedForward.Rules.CP_LRP, shared);
            case CHEFER -> chefer(model.transformer(), prepared, shared);
            case ROLLOUT -> rollout(prepared);
        };
    }

    private static RelevanceMap gradientTimesInput(Transformer transformer, Prepared p, RelevanceMethod method,
                                                   GatedForward.Rules rules, DecoderBackward.Captured shared) {
        EmbeddingParts parts = EmbeddingParts.of(transformer, p.input());
        GatedForward.Gradients g = backward(transformer, p, parts, rules, false, shared);
        double[][] shares = new double[parts.parts().size()][];
        for (int k = 0; k < shares.length; k++) {
            shares[k] = rowDots(parts.parts().get(k).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix(),
                    g.parts().get(k));
        }
        return new RelevanceMap(method.id(), p.target(), logit(p), shares[0], total(shares, parts.positions()),
                total(shares, parts.types()), g.heads());
    }

    private static RelevanceMap chefer(Transformer transformer, Prepared p, DecoderBackward.Captured shared) {
        EmbeddingParts parts = EmbeddingParts.of(transformer, p.input());
        GatedForward.Gradients g = backward(transformer, p, parts, GatedForward.Rules.GRADIENT, true, shared);
        int heads = transformer.spec().heads();
        double[] row = Chefer.row(g.patterns(), heads, p.input().length(), p.target().position());
        return new RelevanceMap(RelevanceMethod.CHEFER.id(), p.target(), logit(p), row, 0, 0, null);
    }

    private static RelevanceMap rollout(Prepared p) {
        double[] row = Rollout.of(p.forward().attention()).row(p.target().position());
        return new RelevanceMap(RelevanceMethod.ROLLOUT.id(), p.target(), logit(p), row, 0, 0, null);
    }

    /**
     * The modified gradients: by the hand-written backward where it covers the model (GPT-2-style decoders), else by
     * the SameDiff graph of {@link GatedForward}.
     */
    private static GatedForward.Gradients backward(Transformer transformer, Prepared p, EmbeddingParts parts,
                                                   GatedForward.Rules rules, boolean gatePatterns, DecoderBackward.Captured shared) {
        if (handWritten(transformer, p)) {
            DecoderBackward.Captured forward = shared != null ? shared : DecoderBackward.capture(transformer, p.input().ids());
            return DecoderBackward.gradients(forward, p.target(), rules, gatePatterns, parts.parts().size());
        }
        return graph(transformer, p, parts, rules, gatePatterns).relevanceGradients();
    }

    private static boolean handWritten(Transformer transformer, Prepared p) {
        return p.input().pixels() == null && p.input().embeddings() == null && DecoderBackward.covers(transformer.spec(), transformer.weights());
    }

    static GatedForward graph(Transformer transformer, Prepared p, EmbeddingParts parts, GatedForward.Rules rules,
                                      boolean gatePatterns) {
        Objective objective = Objective.outputEntry(p.target().position(), p.target().id());
        return GatedForward.relevance(transformer.spec(), transformer.weights(), parts.parts(), objective, rules, gatePatterns);
    }

    private static double logit(Prepared p) {
        var out = p.forward().output();
        return out.values()[p.target().position() * out.cols() + p.target().id()];
    }

    /** Σ_d a_i,d · b_i,d per row i. */
    private static double[] rowDots(double[][] a, double[][] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            for (int d = 0; d < a[i].length; d++) {
                out[i] += a[i][d] * b[i][d];
            }
        }
        return out;
    }

    private static double total(double[][] shares, int index) {
        if (index < 0) {
            return 0;
        }
        double s = 0;
        for (double v : shares[index]) {
            s += v;
        }
        return s;
    }
}
