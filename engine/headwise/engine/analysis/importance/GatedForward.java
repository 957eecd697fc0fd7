package headwise.engine.analysis.importance;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 */
final class GatedForward {

    private final SameDiff sd = SameDiff.create();
    private final ModelSpec spec;
    private final ModelWeights weights;
    private final int length;
    private final List<String> gates = new ArrayList<>();
    private SDVariable output;
    private SDVariable loss;
    private int constants;

    private GatedForward(ModelSpec spec, ModelWeights weights, int length) {
        this.spec = spec;
        this.weights = weights;
        this.length = length;
    }

    /**
     * @param embedded [1, T, d] the layer-0 residual stream (Transformer.embed or a patch embedding)
     * @param ids      the input ids (LM objectives), or null
     */
    static GatedForward build(ModelSpec spec, ModelWeights weights, INDArray embedded, int[] ids, Objective objective) {
        GatedForward f = new GatedForward(spec, weights, (int) embedded.size(1));
        f.graph(embedded, ids, objective);
        return f;
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

    private void graph(INDArray embedded, int[] ids, Objective objective) {
        int d = spec.dModel();
        SDVariable x = constant(embedded.reshape(length, d).castTo(DataType.FLOAT).dup('c'));
        for (int l = 0; l < spec.layers(); l++) {
            x = block(l, x);
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
                output = sd.math().tanh(output.div(cap)).mul(cap);
            }
        }
        loss = objective(objective, ids);
        sd.setLossVariables(loss);
    }

    private SDVariable objective(Objective objective, int[] ids) {
        int width = (int) outputWidth();
        long rows = spec.output() == ModelSpec.Output.CLASS_LOGITS && weights.unembed() != null ? 1 : length;
        float[] weight = new float[(int) (rows * width)];
        switch (objective.kind()) {
            case NEXT_TOKEN_NLL, SAME_TOKEN_NLL -> {
                boolean next = objective.kind() == Objective.Kind.NEXT_TOKEN_NLL;
                int n = next ? length - 1 : length;
                for (int t = 0; t < length; t++) {
                    int y = next ? (t + 1 < length ? ids[t + 1] : -1) : ids[t];
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
        }
        SDVariable scored = objective.kind() == Objective.Kind.HIDDEN_SUM ? output : logSoftmax(output);
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
        SDVariable scores = sd.mmul(qh, kh, false, true, false).mul(spec.attentionScale());
        double cap = spec.variant().scoreSoftcap();
        if (cap > 0) {
            scores = sd.math().tanh(scores.div(cap)).mul(cap);
        }
        if (spec.causal()) {
            scores = scores.add(constant(mask(heads, spec.window(layer))));
        }
        SDVariable pattern = sd.nn().softmax(scores, 2);
        SDVariable z = sd.reshape(sd.permute(sd.mmul(pattern, vh), 1, 0, 2), length, (long) heads * dHead);

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
            case GELU_ERF -> sd.math().erf(hidden.mul(1.0 / Math.sqrt(2.0))).add(1.0).mul(hidden).mul(0.5);
            case RELU -> sd.nn().relu(hidden, 0);
            case SILU_GATED -> {
                SDVariable g = linear(x, w.mlpGate());
                yield sd.nn().sigmoid(g).mul(g).mul(hidden);
            }
            case GELU_TANH_GATED -> geluTanh(linear(x, w.mlpGate())).mul(hidden);
        };
        return linear(activated, w.mlpOut());
    }

    private SDVariable geluTanh(SDVariable x) {
        SDVariable inner = x.mul(x).mul(x).mul(0.044715).add(x).mul(Math.sqrt(2.0 / Math.PI));
        return sd.math().tanh(inner).add(1.0).mul(x).mul(0.5);
    }

    private SDVariable norm(SDVariable x, ModelWeights.NormWeights w) {
        return norm(x, w, spec.norm());
    }

    private SDVariable norm(SDVariable x, ModelWeights.NormWeights w, ModelSpec.Norm kind) {
        SDVariable y;
        if (kind == ModelSpec.Norm.RMS_NORM) {
            y = x.mul(sd.math().rsqrt(x.mul(x).mean(true, 1).add(spec.normEps())));
        } else {
            SDVariable centered = x.sub(x.mean(true, 1));
            y = centered.mul(sd.math().rsqrt(centered.mul(centered).mean(true, 1).add(spec.normEps())));
        }
        y = y.mul(constant(w.gain().reshape(1, -1)));
        return w.bias() == null ? y : y.add(constant(w.bias().reshape(1, -1)));
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
