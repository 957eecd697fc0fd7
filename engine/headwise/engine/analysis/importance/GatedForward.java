package headwise.engine.analysis.importance;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.run.MemoryBudget;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A SameDiff copy of the generic forward (Transformer) for one sequence, with a gate ξ_{l,h} (a variable,
 * initialised to 1) multiplying each head's context vector z before the output projection, and the
 * {@link Objective} as loss. Every family the engine runs is covered: LayerNorm/RMSNorm, pre/post-norm, GELU
 * (tanh, erf), ReLU, SwiGLU, learned positions (in the embeddings given), RoPE (both layouts, with scaling),
 * GQA, causal and sliding-window masks, LM/classifier/bare outputs.
 * <p>
 * Only ops whose gradients are known to be right are used: broadcasting is written as matrix products with
 * constant 0/1 matrices (gate expansion, GQA head sharing, CLS selection), rank-3 {@code mmul} for attention
 * ({@code batchMmul} is broken, ND4J-PITFALLS.md), our own norms and GELUs. The embeddings are computed outside
 * (they do not depend on the gates).
 * <p>
 * For relevance (headwise.engine.analysis.relevance) the same graph runs under LRP {@link Rules} in their
 * gradient × input form: factors the rule holds constant go through a stop-gradient, so the forward values stay
 * those of the model and only the backward changes. The embedding parts (tokens, positions, token types) are then
 * variables, and each attention pattern can carry a gate of ones whose gradient is ∇A ⊙ A (Chefer et al.).
 */
public final class GatedForward {

    /** How the backward treats the model's non-linear pieces (docs/relevance.md). */
    public enum Rules {
        /** The true gradient. */
        GRADIENT,
        /** AttnLRP: σ of norms and f(x)/x of element-wise functions held constant, bilinear products halved. */
        ATTN_LRP,
        /** CP-LRP: as AttnLRP, but attention probabilities and an MLP's activated gate constant, nothing halved. */
        CP_LRP
    }

    private final SameDiff sd = SameDiff.create();
    private final ModelSpec spec;
    private final ModelWeights weights;
    private final int length;
    private final Rules rules;
    private final List<String> gates = new ArrayList<>();
    private final List<String> parts = new ArrayList<>();
    private final List<String> patternGates = new ArrayList<>();
    private boolean gatePatterns;
    private SDVariable output;
    private SDVariable loss;
    private int constants;

    private GatedForward(ModelSpec spec, ModelWeights weights, int length, Rules rules) {
        // the graph keeps every intermediate for the backward pass: refused up front rather than killed by the kernel
        MemoryBudget.checkGradientPass(spec, length, rules == Rules.GRADIENT ? "a gradient pass" : "a relevance map");
        this.spec = spec;
        this.weights = weights;
        this.length = length;
        this.rules = rules;
    }

    /**
     * @param embedded [1, T, d] the layer-0 residual stream (Transformer.embed or a patch embedding)
     * @param ids      the input ids (LM objectives), or null
     */
    static GatedForward build(ModelSpec spec, ModelWeights weights, INDArray embedded, int[] ids, Objective objective) {
        GatedForward f = new GatedForward(spec, weights, (int) embedded.size(1), Rules.GRADIENT);
        f.graph(f.constant(embedded.reshape(f.length, spec.dModel()).castTo(DataType.FLOAT).dup('c')), ids, objective);
        return f;
    }

    /**
     * A graph for relevance: the residual stream's input is the sum of {@code embeddingParts} (each [T, d], all
     * variables; BERT's embedding norm applied after the sum), the objective an {@link Objective.Kind#OUTPUT_ENTRY}.
     *
     * @param gatePatterns give each layer's attention pattern a gate of ones (for {@link #patternGradients})
     */
    public static GatedForward relevance(ModelSpec spec, ModelWeights weights, List<INDArray> embeddingParts,
                                         Objective objective, Rules rules, boolean gatePatterns) {
        GatedForward f = new GatedForward(spec, weights, (int) embeddingParts.get(0).size(0), rules);
        f.gatePatterns = gatePatterns;
        SDVariable x = null;
        for (INDArray part : embeddingParts) {
            SDVariable v = f.sd.var("part_" + f.parts.size(), part.castTo(DataType.FLOAT).dup('c'));
            f.parts.add(v.name());
            x = x == null ? v : x.add(v);
        }
        if (weights.embedNorm() != null) {
            x = f.norm(x, weights.embedNorm(), ModelSpec.Norm.LAYER_NORM);
        }
        f.graph(x, null, objective);
        return f;
    }

    /**
     * One backward pass: the gradients of the loss (under the rules) with respect to the embedding parts
     * ({@code parts}, each [T, d] as float64 rows), the head gates ({@code heads} [L][H]) and, when gated, the
     * attention patterns ({@code patterns} [L][H·T·T], ∇A ⊙ A).
     */
    public record Gradients(List<double[][]> parts, double[][] heads, float[][] patterns) {
    }

    public Gradients relevanceGradients() {
        List<String> wanted = new ArrayList<>(gates);
        wanted.addAll(parts);
        wanted.addAll(patternGates);
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), wanted);
        double[][] heads = new double[spec.layers()][];
        for (int l = 0; l < spec.layers(); l++) {
            heads[l] = grads.get(gates.get(l)).castTo(DataType.DOUBLE).dup().data().asDouble();
        }
        List<double[][]> partGradients = new ArrayList<>();
        for (String part : parts) {
            partGradients.add(grads.get(part).castTo(DataType.DOUBLE).toDoubleMatrix());
        }
        float[][] patterns = null;
        if (gatePatterns) {
            patterns = new float[spec.layers()][];
            for (int l = 0; l < spec.layers(); l++) {
                patterns[l] = grads.get(patternGates.get(l)).castTo(DataType.FLOAT).dup('c').data().asFloat();
            }
        }
        return new Gradients(partGradients, heads, patterns);
    }

    /** The model output [T, width] (classifiers: [1, classes]) at gates = 1. */
    INDArray output() {
        return sd.output(Map.of(), output.name()).get(output.name());
    }

    /** ∂L/∂ξ [layers][heads] and L, in one forward and one backward pass. */
    double[][] gradients() {
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), gates);
        double[][] out = new double[spec.layers()][];
        for (int l = 0; l < spec.layers(); l++) {
            out[l] = grads.get(gates.get(l)).castTo(DataType.DOUBLE).dup().data().asDouble();
        }
        return out;
    }

    double loss() {
        return sd.output(Map.of(), loss.name()).get(loss.name()).getDouble(0);
    }

    private void graph(SDVariable embedded, int[] ids, Objective objective) {
        SDVariable x = embedded;
        for (int l = 0; l < spec.layers(); l++) {
            x = block(l, x);
        }
        boolean oneRow = objective.kind() == Objective.Kind.OUTPUT_ENTRY && spec.output() != ModelSpec.Output.CLASS_LOGITS;
        if (oneRow) {
            x = sd.mmul(constant(selector(objective.position())), x); // only the target's row: the norm is per row
        }
        if (weights.finalNorm() != null) {
            x = norm(x, weights.finalNorm());
        }
        if (weights.unembed() == null || spec.output() == ModelSpec.Output.HIDDEN_STATE) {
            output = x;
        } else if (spec.output() == ModelSpec.Output.CLASS_LOGITS) {
            output = linear(sd.mmul(constant(selector(0)), x), weights.unembed());
            ModelWeights.VisionWeights vision = weights.vision();
            if (vision != null && vision.distillationClassifier() != null) {
                SDVariable distillation = linear(sd.mmul(constant(selector(1)), x), vision.distillationClassifier());
                output = output.add(distillation).mul(0.5);
            }
        } else {
            output = linear(weights.projectOut() == null ? x : linear(x, weights.projectOut()), weights.unembed());
            double cap = spec.variant().logitSoftcap();
            if (cap > 0) {
                output = softcap(output, cap);
            }
        }
        loss = oneRow ? objective(new Objective(Objective.Kind.OUTPUT_ENTRY, 0, objective.id()), ids, 1)
                : objective(objective, ids, spec.output() == ModelSpec.Output.CLASS_LOGITS && weights.unembed() != null ? 1 : length);
        sd.setLossVariables(loss);
    }

    private int target(int[] ids, int t, boolean next) {
        return next ? (t + 1 < length ? ids[t + 1] : -1) : ids[t];
    }

    private SDVariable objective(Objective objective, int[] ids, long rows) {
        int width = (int) outputWidth();
        float[] weight = new float[(int) (rows * width)];
        switch (objective.kind()) {
            case NEXT_TOKEN_NLL, SAME_TOKEN_NLL -> {
                boolean next = objective.kind() == Objective.Kind.NEXT_TOKEN_NLL;
                int n = 0; // the mean over the scored targets (an id of −1, e.g. an image position, scores nothing)
                for (int t = 0; t < length; t++) {
                    n += target(ids, t, next) >= 0 ? 1 : 0;
                }
                for (int t = 0; t < length; t++) {
                    int y = target(ids, t, next);
                    if (y >= 0) {
                        weight[t * width + y] = -1f / n;
                    }
                }
            }
            case CLASS_LOG_PROB -> weight[objective.id()] = 1f;
            case HIDDEN_SUM -> {
                for (int c = 0; c < width; c++) {
                    weight[objective.position() * width + c] = 1f;
                }
            }
            case OUTPUT_ENTRY -> weight[objective.position() * width + objective.id()] = 1f;
        }
        boolean raw = objective.kind() == Objective.Kind.HIDDEN_SUM || objective.kind() == Objective.Kind.OUTPUT_ENTRY;
        SDVariable scored = raw ? output : logSoftmax(output);
        return scored.mul(constant(Nd4j.create(weight, new long[] {rows, width}, 'c'))).sum();
    }

    /** Row-wise log-softmax written out (SameDiff's LogSoftMax fails to build its gradient in M2.1). */
    private SDVariable logSoftmax(SDVariable x) {
        SDVariable shifted = x.sub(x.max(true, 1));
        return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
    }

    private long outputWidth() {
        if (weights.unembed() == null || spec.output() == ModelSpec.Output.HIDDEN_STATE) {
            return spec.dModel();
        }
        return weights.unembed().weight().size(1);
    }

    private SDVariable block(int layer, SDVariable resid) {
        ModelWeights.LayerWeights w = weights.layers().get(layer);
        SDVariable attnIn = spec.postNorm() ? resid : norm(resid, w.attnNorm());
        SDVariable mid = resid.add(optionalNorm(attention(layer, w, attnIn), w.postAttnNorm()));
        if (spec.postNorm()) {
            mid = norm(mid, w.attnNorm());
        }
        SDVariable mlpSource = spec.variant().parallelResidual() ? resid : mid; // GPT-NeoX: the MLP reads resid_pre
        SDVariable mlpIn = spec.postNorm() ? mlpSource : norm(mlpSource, w.mlpNorm());
        SDVariable post = mid.add(optionalNorm(mlp(w, mlpIn), w.postMlpNorm()));
        return spec.postNorm() ? norm(post, w.mlpNorm()) : post;
    }

    /** Gemma-2/3's sandwich norms, where the layer has them. */
    private SDVariable optionalNorm(SDVariable x, ModelWeights.NormWeights w) {
        return w == null ? x : norm(x, w);
    }

    /** Per-head RMSNorm of q or k [T, n·dh] (Qwen3, Gemma-3). */
    private SDVariable headNorm(SDVariable x, ModelWeights.NormWeights w, int n) {
        int dHead = spec.dHead();
        return sd.reshape(norm(sd.reshape(x, (long) length * n, dHead), w, ModelSpec.Norm.RMS_NORM), length, (long) n * dHead);
    }

    private SDVariable attention(int layer, ModelWeights.LayerWeights w, SDVariable x) {
        int heads = spec.heads();
        int kvHeads = spec.kvHeads();
        int dHead = spec.dHead();
        SDVariable q = linear(x, w.q()); // [T, H·dh]
        SDVariable k = linear(x, w.k()); // [T, KV·dh]
        SDVariable v = linear(x, w.v());
        if (w.qNorm() != null) {
            q = headNorm(q, w.qNorm(), heads);
            k = headNorm(k, w.kNorm(), kvHeads);
        }
        ModelSpec.Rope rope = spec.rope(layer);
        if (rope != null) {
            q = rope(q, heads, rope);
            k = rope(k, kvHeads, rope);
        }
        if (kvHeads != heads) {
            INDArray share = shareKv(); // [KV·dh, H·dh]
            SDVariable s = constant(share);
            k = sd.mmul(k, s);
            v = sd.mmul(v, s);
        }
        SDVariable qh = sd.permute(sd.reshape(q, length, heads, dHead), 1, 0, 2); // [H, T, dh]
        SDVariable kh = sd.permute(sd.reshape(k, length, heads, dHead), 1, 0, 2);
        SDVariable vh = sd.permute(sd.reshape(v, length, heads, dHead), 1, 0, 2);
        SDVariable scores = bilinear(sd.mmul(qh, kh, false, true, false)).mul(spec.attentionScale());
        double cap = spec.variant().scoreSoftcap();
        if (cap > 0) {
            scores = softcap(scores, cap);
        }
        if (spec.causal()) {
            scores = scores.add(constant(mask(heads, spec.window(layer))));
        }
        SDVariable pattern = sd.nn().softmax(scores, 2);
        if (rules == Rules.CP_LRP) {
            pattern = stop(pattern);
        }
        if (gatePatterns) {
            SDVariable patternGate = sd.var("pattern_gate_" + layer, Nd4j.ones(DataType.FLOAT, heads, length, length));
            patternGates.add(patternGate.name());
            pattern = pattern.mul(patternGate);
        }
        SDVariable z = sd.reshape(sd.permute(bilinear(sd.mmul(pattern, vh)), 1, 0, 2), length, (long) heads * dHead);

        SDVariable gate = sd.var("gate_" + layer, Nd4j.ones(DataType.FLOAT, 1, heads));
        gates.add(gate.name());
        INDArray expand = Nd4j.zeros(DataType.FLOAT, heads, (long) heads * dHead);
        for (int h = 0; h < heads; h++) {
            for (int c = 0; c < dHead; c++) {
                expand.putScalar(h, (long) h * dHead + c, 1f);
            }
        }
        SDVariable perChannel = sd.mmul(constant(Nd4j.ones(DataType.FLOAT, length, 1)), sd.mmul(gate, constant(expand)));
        return linear(z.mul(perChannel), w.o());
    }

    private SDVariable mlp(ModelWeights.LayerWeights w, SDVariable x) {
        SDVariable hidden = linear(x, w.mlpIn());
        SDVariable activated = switch (spec.activation()) {
            case GELU_TANH -> geluTanh(hidden);
            case GELU_ERF -> elementwise(hidden, sd.math().erf(hidden.mul(1.0 / Math.sqrt(2.0))).add(1.0).mul(0.5));
            case GELU_QUICK -> elementwise(hidden, sd.nn().sigmoid(hidden.mul(1.702)));
            case RELU -> rules == Rules.GRADIENT ? sd.nn().relu(hidden, 0) : elementwise(hidden, sd.math().step(hidden, 0));
            case SILU_GATED -> {
                SDVariable g = linear(x, w.mlpGate());
                yield gated(elementwise(g, sd.nn().sigmoid(g)), hidden);
            }
            case GELU_TANH_GATED -> gated(geluTanh(linear(x, w.mlpGate())), hidden);
        };
        return linear(activated, w.mlpOut());
    }

    /** GELU-tanh as x · ½(1 + tanh(√(2/π)(x + 0.044715x³))). */
    private SDVariable geluTanh(SDVariable x) {
        SDVariable inner = x.mul(x).mul(x).mul(0.044715).add(x).mul(Math.sqrt(2.0 / Math.PI));
        return elementwise(x, sd.math().tanh(inner).add(1.0).mul(0.5));
    }

    /**
     * f(x) written as x · (f(x)/x): under the LRP rules the ratio is held constant (the identity rule); under the
     * true gradient both factors differentiate.
     */
    private SDVariable elementwise(SDVariable x, SDVariable ratio) {
        return x.mul(rules == Rules.GRADIENT ? ratio : stop(ratio));
    }

    /** c·tanh(x/c), a soft-cap; under the rules by the identity rule (ratio c·tanh(x/c)/x, 1 at x = 0). */
    private SDVariable softcap(SDVariable x, double cap) {
        SDVariable capped = sd.math().tanh(x.div(cap)).mul(cap);
        if (rules == Rules.GRADIENT) {
            return capped;
        }
        SDVariable zero = x.eq(0.0).castTo(DataType.FLOAT);
        SDVariable ratio = capped.div(x.add(zero)).add(zero); // x = 0: capped = 0, so the ratio is 0/1 + 1
        return x.mul(stop(ratio));
    }

    /** The gated MLP's activated gate ⊙ up: AttnLRP halves the product, CP-LRP holds the gate constant. */
    private SDVariable gated(SDVariable gate, SDVariable up) {
        return rules == Rules.CP_LRP ? stop(gate).mul(up) : bilinear(gate.mul(up));
    }

    /** A product of two inputs: under AttnLRP each operand gets half the gradient (½p + ½·stop(p)). */
    private SDVariable bilinear(SDVariable product) {
        return rules == Rules.ATTN_LRP ? product.mul(0.5).add(stop(product).mul(0.5)) : product;
    }

    /** The same values, no gradient. */
    private SDVariable stop(SDVariable x) {
        return new StopGradient(sd, x).outputVariable();
    }

    private SDVariable norm(SDVariable x, ModelWeights.NormWeights w) {
        return norm(x, w, spec.norm());
    }

    private SDVariable norm(SDVariable x, ModelWeights.NormWeights w, ModelSpec.Norm kind) {
        SDVariable y;
        if (kind == ModelSpec.Norm.RMS_NORM) {
            y = x.mul(heldUnderRules(sd.math().rsqrt(x.mul(x).mean(true, 1).add(spec.normEps()))));
        } else {
            SDVariable centered = x.sub(x.mean(true, 1));
            y = centered.mul(heldUnderRules(sd.math().rsqrt(centered.mul(centered).mean(true, 1).add(spec.normEps()))));
        }
        y = y.mul(constant(w.gain().reshape(1, -1)));
        return w.bias() == null ? y : y.add(constant(w.bias().reshape(1, -1)));
    }

    /** 1/σ of a norm: constant under the LRP rules. */
    private SDVariable heldUnderRules(SDVariable inverseSigma) {
        return rules == Rules.GRADIENT ? inverseSigma : stop(inverseSigma);
    }

    private SDVariable linear(SDVariable x, ModelWeights.Linear layer) {
        SDVariable y = sd.mmul(x, constant(layer.weight()));
        return layer.bias() == null ? y : y.add(constant(layer.bias().reshape(1, -1)));
    }

    /**
     * x [T, n·dh] rotated: x⊙cos + rot(x)⊙sin, with rot a constant [dh, dh] matrix per head; channels past the
     * rotated ones (partial rotary) have cos 1 and sin 0.
     */
    private SDVariable rope(SDVariable x, int n, ModelSpec.Rope rope) {
        int dHead = spec.dHead();
        int half = rope.rotated(dHead) / 2;
        boolean adjacent = rope.layout() == ModelSpec.RopeLayout.ADJACENT_PAIRS;
        double[] inverse = headwise.engine.model.Rope.inverseFrequencies(rope, dHead);
        float[] cos = new float[length * n * dHead];
        float[] sin = new float[length * n * dHead];
        java.util.Arrays.fill(cos, 1f);
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * (float) inverse[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                for (int h = 0; h < n; h++) {
                    int base = (p * n + h) * dHead;
                    int first = base + (adjacent ? 2 * i : i);
                    int second = base + (adjacent ? 2 * i + 1 : i + half);
                    cos[first] = c;
                    cos[second] = c;
                    sin[first] = s;
                    sin[second] = s;
                }
            }
        }
        // rot: first' = −second, second' = first (so x⊙cos + rot(x)⊙sin is the rotation)
        INDArray rot = Nd4j.zeros(DataType.FLOAT, dHead, dHead);
        for (int i = 0; i < half; i++) {
            int first = adjacent ? 2 * i : i;
            int second = adjacent ? 2 * i + 1 : i + half;
            rot.putScalar(second, first, -1f);
            rot.putScalar(first, second, 1f);
        }
        SDVariable rotated = sd.reshape(sd.mmul(sd.reshape(x, (long) length * n, dHead), constant(rot)), length, (long) n * dHead);
        long[] shape = {length, (long) n * dHead};
        return x.mul(constant(Nd4j.create(cos, shape, 'c'))).add(rotated.mul(constant(Nd4j.create(sin, shape, 'c'))));
    }

    /** [KV·dh, H·dh]: key/value head j serves query heads j·group … (j+1)·group − 1. */
    private INDArray shareKv() {
        int dHead = spec.dHead();
        int group = spec.heads() / spec.kvHeads();
        INDArray share = Nd4j.zeros(DataType.FLOAT, (long) spec.kvHeads() * dHead, (long) spec.heads() * dHead);
        for (int h = 0; h < spec.heads(); h++) {
            int j = h / group;
            for (int c = 0; c < dHead; c++) {
                share.putScalar((long) j * dHead + c, (long) h * dHead + c, 1f);
            }
        }
        return share;
    }

    /** [heads, T, T] additive mask: −1e9 on later keys and, with a sliding window, keys window or more back. */
    private INDArray mask(int heads, int window) {
        float[] m = new float[heads * length * length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < length; i++) {
                for (int j = 0; j < length; j++) {
                    if (j > i || (window > 0 && i - j >= window)) {
                        m[(h * length + i) * length + j] = -1e9f;
                    }
                }
            }
        }
        return Nd4j.create(m, new long[] {heads, length, length}, 'c');
    }

    /** [1, T] one-hot at {@code row}: selects a token's hidden state by a matrix product. */
    private INDArray selector(int row) {
        INDArray s = Nd4j.zeros(DataType.FLOAT, 1, length);
        s.putScalar(0, row, 1f);
        return s;
    }

    private SDVariable constant(INDArray value) {
        return sd.constant("c" + constants++, value);
    }
}
