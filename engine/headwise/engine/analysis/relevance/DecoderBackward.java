package headwise.engine.analysis.relevance;

import headwise.engine.analysis.importance.GatedForward;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The relevance backward of a GPT-2-style decoder (pre-LayerNorm, learned positions, ungated GELU/ReLU MLP, full
 * multi-head causal attention without RoPE or soft-caps; GPT-2 and pre-norm OPT), written by hand from the
 * model's own forward: one capturing forward (the activation cache: each block's input, q, k, v, pattern, z,
 * resid_mid and ln2 output), then the chain rule layer by layer with the rules of docs/relevance.md (σ held
 * constant in the norms, f(x)/x held in the MLP's activation, ½ to each operand of q·kᵀ and A·v under AttnLRP,
 * A constant under CP-LRP). It computes only the input gradients, never a weight's, and keeps only the cache, where
 * {@link GatedForward}'s SameDiff graph keeps every intermediate and its gradient. The results equal the SameDiff
 * path's (DecoderBackwardTest); other families keep that path.
 */
final class DecoderBackward {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private final ModelSpec spec;
    private final ModelWeights weights;
    private final GatedForward.Rules rules;
    private final int length;

    private DecoderBackward(Transformer transformer, GatedForward.Rules rules, int length) {
        this.spec = transformer.spec();
        this.weights = transformer.weights();
        this.rules = rules;
        this.length = length;
    }

    /** Whether the hand-written backward covers this model (else the SameDiff path runs). */
    static boolean covers(ModelSpec spec, ModelWeights w) {
        if (spec.output() != ModelSpec.Output.LM_LOGITS || w.unembed() == null || !spec.causal() || spec.postNorm()
                || spec.norm() != ModelSpec.Norm.LAYER_NORM || spec.kvHeads() != spec.heads() || w.embedNorm() != null
                || w.vision() != null || spec.variant().parallelResidual() || spec.variant().scoreSoftcap() > 0
                || spec.variant().logitSoftcap() > 0 || w.finalNorm() == null) {
            return false;
        }
        ModelSpec.Activation a = spec.activation();
        if (a != ModelSpec.Activation.GELU_TANH && a != ModelSpec.Activation.GELU_ERF && a != ModelSpec.Activation.RELU) {
            return false;
        }
        for (int l = 0; l < spec.layers(); l++) {
            ModelWeights.LayerWeights lw = w.layers().get(l);
            if (spec.rope(l) != null || spec.window(l) > 0 || lw.qNorm() != null || lw.postAttnNorm() != null
                    || lw.postMlpNorm() != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Native memory one map needs: the cache (8 [T, d]-sized activations and the pattern per layer), the capturing
     * forward's logits and the backward's work (a layer's MLP-wide arrays and a few [H, T, T] batches).
     */
    static long bytes(ModelSpec spec, int length) {
        long t = length;
        long square = (long) spec.heads() * t * t;
        long perLayer = 4 * (8 * t * spec.dModel() + square);
        long work = 4 * (6 * t * Math.max(spec.dMlp(), spec.dModel()) + 4 * square);
        return spec.layers() * perLayer + 4 * t * spec.outputWidth() + work;
    }

    /** One capturing forward's activations, which every rule's backward (and every method of one input) reads. */
    static final class Captured {
        private final Transformer transformer;
        private final ActivationCache cache;
        private final int length;

        private Captured(Transformer transformer, ActivationCache cache, int length) {
            this.transformer = transformer;
            this.cache = cache;
            this.length = length;
        }
    }

    /** The capturing forward of {@code ids}, its memory checked before it runs. */
    static Captured capture(Transformer transformer, int[] ids) {
        MemoryBudget.checkNative(bytes(transformer.spec(), ids.length), "a relevance map of " + ids.length + " tokens");
        Set<String> names = captured(transformer.spec());
        return new Captured(transformer, transformer.run(new int[][] {ids}, Hooks.capturing(names::contains)).cache(), ids.length);
    }

    /** {@link #capture} then {@link #gradients(Captured, RelevanceTarget, GatedForward.Rules, boolean, int)}. */
    static GatedForward.Gradients gradients(Transformer transformer, int[] ids, RelevanceTarget target, GatedForward.Rules rules,
                                            boolean patterns, int parts) {
        return gradients(capture(transformer, ids), target, rules, patterns, parts);
    }

    /**
     * The gradients of the target logit (under the rules) at the residual stream's input, given for each of
     * {@code parts} embedding parts (they are summed, so each gets the same), at the head gates, and when
     * {@code patterns} at the attention patterns (∇A ⊙ A, for Chefer).
     */
    static GatedForward.Gradients gradients(Captured forward, RelevanceTarget target, GatedForward.Rules rules, boolean patterns,
                                            int parts) {
        return new DecoderBackward(forward.transformer, rules, forward.length).run(forward.cache, target, patterns, parts);
    }

    private GatedForward.Gradients run(ActivationCache cache, RelevanceTarget target, boolean patterns, int parts) {
        int layers = spec.layers();
        float[] g = outputGradient(floats(cache, HookNames.residPost(layers - 1)), target);
        double[][] heads = new double[layers][];
        float[][] patternGradients = patterns ? new float[layers][] : null;
        for (int l = layers - 1; l >= 0; l--) {
            ModelWeights.LayerWeights w = weights.layers().get(l);
            float[] gMid = plus(g, normBackward(floats(cache, HookNames.residMid(l)), w.mlpNorm(),
                    mlpBackward(w, floats(cache, HookNames.ln2Normalized(l)), g)));
            float[] gZ = product(gMid, length, w.o().weight().transpose());
            heads[l] = headSums(floats(cache, HookNames.z(l)), gZ);
            float[] gIn = attentionBackward(l, w, cache, gZ, patternGradients);
            g = plus(gMid, normBackward(floats(cache, HookNames.residPre(l)), w.attnNorm(), gIn));
        }
        int d = spec.dModel();
        double[][] input = new double[length][d];
        for (int t = 0; t < length; t++) {
            for (int c = 0; c < d; c++) {
                input[t][c] = g[t * d + c];
            }
        }
        List<double[][]> each = new ArrayList<>();
        for (int k = 0; k < parts; k++) {
            each.add(input);
        }
        return new GatedForward.Gradients(each, heads, patternGradients);
    }

    private static Set<String> captured(ModelSpec spec) {
        Set<String> names = new HashSet<>();
        for (int l = 0; l < spec.layers(); l++) {
            names.addAll(List.of(HookNames.residPre(l), HookNames.q(l), HookNames.k(l), HookNames.v(l), HookNames.pattern(l),
                    HookNames.z(l), HookNames.residMid(l), HookNames.ln2Normalized(l)));
        }
        names.add(HookNames.residPost(spec.layers() - 1));
        return names;
    }

    /** ∂f/∂(last block's output): the target's unembedding column at its row, back through project_out and ln_f. */
    private float[] outputGradient(float[] last, RelevanceTarget target) {
        INDArray column = weights.unembed().weight().getColumn(target.id()).dup('c').reshape(-1, 1);
        if (weights.projectOut() != null) {
            column = weights.projectOut().weight().mmul(column);
        }
        int d = spec.dModel();
        float[] gOut = new float[length * d];
        System.arraycopy(Ops.floats(column.castTo(DataType.FLOAT)), 0, gOut, target.position() * d, d);
        return normBackward(last, weights.finalNorm(), gOut);
    }

    /** MLP: ∂ at its normalized input from ∂ at its output; the activation by the rule (f(h)/h) or its derivative. */
    private float[] mlpBackward(ModelWeights.LayerWeights w, float[] normalized, float[] gOut) {
        float[] h = Ops.floats(Ops.linear(matrix(normalized, length), w.mlpIn()));
        float[] gu = product(gOut, length, w.mlpOut().weight().transpose());
        boolean gradient = rules == GatedForward.Rules.GRADIENT;
        for (int i = 0; i < h.length; i++) {
            gu[i] *= (float) (gradient ? derivative(h[i]) : ratio(h[i]));
        }
        return product(gu, length, w.mlpIn().weight().transpose());
    }

    /** f(x)/x of the activation (its value at 0 by continuity; ReLU: step). */
    private double ratio(double x) {
        return switch (spec.activation()) {
            case GELU_TANH -> halfOnePlusTanh(x);
            case GELU_ERF -> phi(x);
            default -> x > 0 ? 1 : 0;
        };
    }

    private double derivative(double x) {
        return switch (spec.activation()) {
            case GELU_TANH -> {
                double half = halfOnePlusTanh(x); // ½(1 + t)
                double t = 2 * half - 1;
                yield half + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
            }
            case GELU_ERF -> phi(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            default -> x > 0 ? 1 : 0;
        };
    }

    /**
     * ½(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), as the logistic 1/(1 + e^(−2u)): the same value, and Math.exp is
     * an intrinsic where Math.tanh is not (it was a sixth of a map's time at 512 tokens).
     */
    private static double halfOnePlusTanh(double x) {
        return 1 / (1 + Math.exp(-2 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    }

    /** Φ(x), the standard normal CDF, as ½(1 + erf(x/√2)). */
    private static double phi(double x) {
        return 0.5 * (1 + org.apache.commons.math3.special.Erf.erf(x / Math.sqrt(2)));
    }

    /**
     * LayerNorm y = (x − μ)/σ · γ + β: ∂ at x from ∂ at y [T·d]. Under the rules σ is a constant (the mean
     * subtraction stays); the true gradient also differentiates σ.
     */
    private float[] normBackward(float[] xs, ModelWeights.NormWeights norm, float[] gs) {
        int d = spec.dModel();
        float[] gain = Ops.floats(norm.gain());
        float[] out = new float[xs.length];
        boolean full = rules == GatedForward.Rules.GRADIENT;
        for (int r = 0; r < length; r++) {
            int o = r * d;
            double mean = 0;
            for (int c = 0; c < d; c++) {
                mean += xs[o + c];
            }
            mean /= d;
            double variance = 0;
            for (int c = 0; c < d; c++) {
                double centred = xs[o + c] - mean;
                variance += centred * centred;
            }
            double inverse = 1 / Math.sqrt(variance / d + spec.normEps());
            double gMean = 0;
            double gDotN = 0;
            for (int c = 0; c < d; c++) {
                double gn = (double) gs[o + c] * gain[c];
                gMean += gn;
                gDotN += gn * (xs[o + c] - mean) * inverse;
            }
            gMean /= d;
            gDotN /= d;
            for (int c = 0; c < d; c++) {
                double gn = (double) gs[o + c] * gain[c];
                double n = (xs[o + c] - mean) * inverse;
                out[o + c] = (float) ((gn - gMean - (full ? n * gDotN : 0)) * inverse);
            }
        }
        return out;
    }

    /**
     * Attention: ∂ at its normalized input from ∂ at the heads' contexts z [T·H·dh]. A·v gives v the gradient
     * Aᵀ∂z and A the gradient ∂z·vᵀ (each halved under AttnLRP; A constant under CP-LRP), the softmax its Jacobian,
     * q·kᵀ·scale the gradients ∂S·k and ∂Sᵀ·q (halved under AttnLRP). All heads at once, as [H, T, ·] batches.
     */
    private float[] attentionBackward(int layer, ModelWeights.LayerWeights w, ActivationCache cache, float[] gZ,
                                      float[][] patternGradients) {
        int heads = spec.heads();
        int dHead = spec.dHead();
        boolean halve = rules == GatedForward.Rules.ATTN_LRP;
        boolean patternConstant = rules == GatedForward.Rules.CP_LRP;
        INDArray a = Nd4j.create(floats(cache, HookNames.pattern(layer)), new long[] {heads, length, length}, 'c');
        INDArray gz = headMajor(gZ);
        float[] gv = positionMajor(Nd4j.matmul(a, gz, true, false, false), halve ? 0.5 : 1);
        float[] gIn = product(gv, length, w.v().weight().transpose());
        if (patternConstant && patternGradients == null) {
            return gIn;
        }
        float[] gA = Ops.floats(Nd4j.matmul(gz, headMajor(floats(cache, HookNames.v(layer))), false, true, false));
        float[] av = Ops.floats(a);
        if (halve) {
            for (int i = 0; i < gA.length; i++) {
                gA[i] *= 0.5f;
            }
        }
        if (patternGradients != null) {
            float[] product = new float[gA.length];
            for (int i = 0; i < gA.length; i++) {
                product[i] = gA[i] * av[i];
            }
            patternGradients[layer] = product;
        }
        if (patternConstant) {
            return gIn;
        }
        INDArray gS = Nd4j.create(softmaxBackward(av, gA), new long[] {heads, length, length}, 'c');
        double factor = spec.attentionScale() * (halve ? 0.5 : 1);
        float[] gq = positionMajor(Nd4j.matmul(gS, headMajor(floats(cache, HookNames.k(layer))), false, false, false), factor);
        float[] gk = positionMajor(Nd4j.matmul(gS, headMajor(floats(cache, HookNames.q(layer))), true, false, false), factor);
        return plus(gIn, plus(product(gq, length, w.q().weight().transpose()), product(gk, length, w.k().weight().transpose())));
    }

    /** Row-wise softmax Jacobian over every head's [T, T] rows: ∂S = A ⊙ (∂A − Σ_j ∂A_j A_j). */
    private float[] softmaxBackward(float[] a, float[] gA) {
        float[] out = new float[a.length];
        for (int row = 0; row < a.length / length; row++) {
            int o = row * length;
            double dot = 0;
            for (int j = 0; j < length; j++) {
                dot += (double) gA[o + j] * a[o + j];
            }
            for (int j = 0; j < length; j++) {
                out[o + j] = (float) (a[o + j] * (gA[o + j] - dot));
            }
        }
        return out;
    }

    /** Σ_{t, c ∈ head} z ⊙ ∂z per head: the gradient at a gate of ones on the head's context. */
    private double[] headSums(float[] zs, float[] gs) {
        int heads = spec.heads();
        int dHead = spec.dHead();
        double[] out = new double[heads];
        int width = heads * dHead;
        for (int t = 0; t < length; t++) {
            for (int c = 0; c < width; c++) {
                out[c / dHead] += (double) zs[t * width + c] * gs[t * width + c];
            }
        }
        return out;
    }

    /** [T, H·dh] values as a [H, T, dh] array. */
    private INDArray headMajor(float[] x) {
        int heads = spec.heads();
        int dHead = spec.dHead();
        float[] out = new float[x.length];
        for (int t = 0; t < length; t++) {
            for (int h = 0; h < heads; h++) {
                System.arraycopy(x, (t * heads + h) * dHead, out, (h * length + t) * dHead, dHead);
            }
        }
        return Nd4j.create(out, new long[] {heads, length, dHead}, 'c');
    }

    /** [H, T, dh] back to [T, H·dh] values, times {@code factor}. */
    private float[] positionMajor(INDArray perHead, double factor) {
        int heads = spec.heads();
        int dHead = spec.dHead();
        float[] x = Ops.floats(perHead);
        float[] out = new float[x.length];
        for (int h = 0; h < heads; h++) {
            for (int t = 0; t < length; t++) {
                int from = (h * length + t) * dHead;
                int to = (t * heads + h) * dHead;
                for (int c = 0; c < dHead; c++) {
                    out[to + c] = (float) (x[from + c] * factor);
                }
            }
        }
        return out;
    }

    /** x [rows, ·] · w (a weight or its transposed view) by one GEMM, as values. */
    private static float[] product(float[] x, int rows, INDArray w) {
        return Ops.floats(Ops.matmul(matrix(x, rows), w));
    }

    private static INDArray matrix(float[] x, int rows) {
        return Nd4j.create(x, new long[] {rows, x.length / rows}, 'c');
    }

    private static float[] plus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** A captured activation's values in c order ([1, T, …] as [T·…]; a pattern [1, H, T, T] as [H·T·T]). */
    private static float[] floats(ActivationCache cache, String name) {
        return Ops.floats(cache.get(name));
    }
}
