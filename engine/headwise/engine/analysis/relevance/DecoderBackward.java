package headwise.engine.analysis.relevance;

import headwise.engine.analysis.importance.GatedForward;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

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

    /** Native memory one map keeps: the cache (8 [T, d]-sized activations and the pattern per layer) and the work. */
    static long bytes(ModelSpec spec, int length) {
        long t = length;
        long perLayer = 4 * (8 * t * spec.dModel() + (long) spec.heads() * t * t);
        long work = 4 * (6 * t * Math.max(spec.dMlp(), spec.dModel()) + 4 * t * t);
        return spec.layers() * perLayer + work;
    }

    /**
     * The gradients of the target logit (under the rules) at the residual stream's input, given for each of
     * {@code parts} embedding parts (they are summed, so each gets the same), at the head gates, and when
     * {@code patterns} at the attention patterns (∇A ⊙ A, for Chefer).
     */
    static GatedForward.Gradients gradients(Transformer transformer, int[] ids, RelevanceTarget target, GatedForward.Rules rules,
                                            boolean patterns, int parts) {
        MemoryBudget.checkNative(bytes(transformer.spec(), ids.length), "a relevance map of " + ids.length + " tokens");
        return new DecoderBackward(transformer, rules, ids.length).run(transformer, ids, target, patterns, parts);
    }

    private GatedForward.Gradients run(Transformer transformer, int[] ids, RelevanceTarget target, boolean patterns, int parts) {
        int layers = spec.layers();
        ActivationCache cache = transformer.run(new int[][] {ids}, Hooks.capturing(captured()::contains)).cache();
        INDArray g = outputGradient(rows(cache.get(HookNames.residPost(layers - 1))), target);
        double[][] heads = new double[layers][];
        float[][] patternGradients = patterns ? new float[layers][] : null;
        for (int l = layers - 1; l >= 0; l--) {
            ModelWeights.LayerWeights w = weights.layers().get(l);
            INDArray mid = rows(cache.get(HookNames.residMid(l)));
            INDArray gMid = g.add(normBackward(mid, w.mlpNorm(), mlpBackward(w, rows(cache.get(HookNames.ln2Normalized(l))), g)));
            INDArray gZ = gMid.mmul(w.o().weight().transpose());
            heads[l] = headSums(rows(cache.get(HookNames.z(l))), gZ);
            INDArray gIn = attentionBackward(l, w, cache, gZ, patternGradients);
            g = gMid.add(normBackward(rows(cache.get(HookNames.residPre(l))), w.attnNorm(), gIn));
        }
        double[][] input = g.castTo(DataType.DOUBLE).toDoubleMatrix();
        List<double[][]> each = new ArrayList<>();
        for (int k = 0; k < parts; k++) {
            each.add(input);
        }
        return new GatedForward.Gradients(each, heads, patternGradients);
    }

    private Set<String> captured() {
        Set<String> names = new HashSet<>();
        for (int l = 0; l < spec.layers(); l++) {
            names.addAll(List.of(HookNames.residPre(l), HookNames.q(l), HookNames.k(l), HookNames.v(l), HookNames.pattern(l),
                    HookNames.z(l), HookNames.residMid(l), HookNames.ln2Normalized(l)));
        }
        names.add(HookNames.residPost(spec.layers() - 1));
        return names;
    }

    /** ∂f/∂(last block's output): the target's unembedding column at its row, back through project_out and ln_f. */
    private INDArray outputGradient(INDArray last, RelevanceTarget target) {
        INDArray column = weights.unembed().weight().getColumn(target.id()).dup('c').reshape(-1, 1);
        if (weights.projectOut() != null) {
            column = weights.projectOut().weight().mmul(column);
        }
        INDArray gOut = Nd4j.zeros(DataType.FLOAT, length, spec.dModel());
        gOut.putRow(target.position(), column.reshape(1, -1).castTo(DataType.FLOAT));
        return normBackward(last, weights.finalNorm(), gOut);
    }

    /** MLP: ∂ at its normalized input from ∂ at its output; the activation by the rule (f(h)/h) or its derivative. */
    private INDArray mlpBackward(ModelWeights.LayerWeights w, INDArray normalized, INDArray gOut) {
        INDArray hidden = normalized.mmul(w.mlpIn().weight());
        if (w.mlpIn().bias() != null) {
            hidden.addiRowVector(w.mlpIn().bias().reshape(1, -1));
        }
        float[] h = hidden.dup('c').data().asFloat();
        float[] gu = gOut.mmul(w.mlpOut().weight().transpose()).dup('c').data().asFloat();
        for (int i = 0; i < h.length; i++) {
            gu[i] *= (float) (rules == GatedForward.Rules.GRADIENT ? derivative(h[i]) : ratio(h[i]));
        }
        return Nd4j.create(gu, hidden.shape(), 'c').mmul(w.mlpIn().weight().transpose());
    }

    /** f(x)/x of the activation (its value at 0 by continuity; ReLU: step). */
    private double ratio(double x) {
        return switch (spec.activation()) {
            case GELU_TANH -> 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case GELU_ERF -> phi(x);
            default -> x > 0 ? 1 : 0;
        };
    }

    private double derivative(double x) {
        return switch (spec.activation()) {
            case GELU_TANH -> {
                double c = Math.sqrt(2 / Math.PI);
                double t = Math.tanh(c * (x + 0.044715 * x * x * x));
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
            }
            case GELU_ERF -> phi(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            default -> x > 0 ? 1 : 0;
        };
    }

    /** Φ(x), the standard normal CDF, as ½(1 + erf(x/√2)). */
    private static double phi(double x) {
        return 0.5 * (1 + org.apache.commons.math3.special.Erf.erf(x / Math.sqrt(2)));
    }

    /**
     * LayerNorm y = (x − μ)/σ · γ + β: ∂ at x from ∂ at y. Under the rules σ is a constant (the mean subtraction
     * stays); the true gradient also differentiates σ.
     */
    private INDArray normBackward(INDArray x, ModelWeights.NormWeights norm, INDArray gOut) {
        int d = spec.dModel();
        float[] xs = x.dup('c').data().asFloat();
        float[] gs = gOut.dup('c').data().asFloat();
        float[] gain = norm.gain().castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[xs.length];
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
            boolean full = rules == GatedForward.Rules.GRADIENT;
            for (int c = 0; c < d; c++) {
                double gn = (double) gs[o + c] * gain[c];
                double n = (xs[o + c] - mean) * inverse;
                out[o + c] = (float) ((gn - gMean - (full ? n * gDotN : 0)) * inverse);
            }
        }
        return Nd4j.create(out, new long[] {length, d}, 'c');
    }

    /**
     * Attention: ∂ at its normalized input from ∂ at the heads' contexts z. A·v gives v the gradient Aᵀ∂z and A the
     * gradient ∂z·vᵀ (each halved under AttnLRP; A constant under CP-LRP), the softmax its Jacobian, q·kᵀ·scale
     * the gradients ∂S·k and ∂Sᵀ·q (halved under AttnLRP).
     */
    private INDArray attentionBackward(int layer, ModelWeights.LayerWeights w, ActivationCache cache, INDArray gZ,
                                       float[][] patternGradients) {
        int heads = spec.heads();
        int dHead = spec.dHead();
        INDArray q = rows(cache.get(HookNames.q(layer)));
        INDArray k = rows(cache.get(HookNames.k(layer)));
        INDArray v = rows(cache.get(HookNames.v(layer)));
        INDArray pattern = cache.get(HookNames.pattern(layer)).dup('c').reshape(heads, length, length);
        INDArray gQ = Nd4j.zeros(DataType.FLOAT, length, (long) heads * dHead);
        INDArray gK = Nd4j.zeros(DataType.FLOAT, length, (long) heads * dHead);
        INDArray gV = Nd4j.zeros(DataType.FLOAT, length, (long) heads * dHead);
        boolean halve = rules == GatedForward.Rules.ATTN_LRP;
        boolean patternConstant = rules == GatedForward.Rules.CP_LRP;
        if (patternGradients != null) {
            patternGradients[layer] = new float[heads * length * length];
        }
        for (int h = 0; h < heads; h++) {
            var cols = interval((long) h * dHead, (long) (h + 1) * dHead);
            INDArray gz = gZ.get(all(), cols).dup('c');
            INDArray a = pattern.slice(h).dup('c');
            INDArray gv = a.transpose().mmul(gz);
            gV.put(new org.nd4j.linalg.indexing.INDArrayIndex[] {all(), cols}, halve ? gv.muli(0.5) : gv);
            if (patternConstant && patternGradients == null) {
                continue;
            }
            INDArray gA = gz.mmul(v.get(all(), cols).dup('c').transpose());
            if (halve) {
                gA.muli(0.5);
            }
            float[] ga = gA.dup('c').data().asFloat();
            float[] av = a.data().asFloat();
            if (patternGradients != null) {
                for (int i = 0; i < ga.length; i++) {
                    patternGradients[layer][h * length * length + i] = ga[i] * av[i];
                }
            }
            if (patternConstant) {
                continue;
            }
            float[] gs = softmaxBackward(av, ga);
            INDArray gS = Nd4j.create(gs, new long[] {length, length}, 'c');
            double factor = spec.attentionScale() * (halve ? 0.5 : 1);
            gQ.put(new org.nd4j.linalg.indexing.INDArrayIndex[] {all(), cols},
                    gS.mmul(k.get(all(), cols).dup('c')).muli(factor));
            gK.put(new org.nd4j.linalg.indexing.INDArrayIndex[] {all(), cols},
                    gS.transpose().mmul(q.get(all(), cols).dup('c')).muli(factor));
        }
        INDArray gIn = gV.mmul(w.v().weight().transpose());
        if (!patternConstant) {
            gIn.addi(gQ.mmul(w.q().weight().transpose())).addi(gK.mmul(w.k().weight().transpose()));
        }
        return gIn;
    }

    /** Row-wise softmax Jacobian: ∂S = A ⊙ (∂A − Σ_j ∂A_j A_j), A and ∂A [T·T]. */
    private float[] softmaxBackward(float[] a, float[] gA) {
        float[] out = new float[a.length];
        for (int i = 0; i < length; i++) {
            int o = i * length;
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
    private double[] headSums(INDArray z, INDArray gZ) {
        int heads = spec.heads();
        int dHead = spec.dHead();
        float[] zs = z.dup('c').data().asFloat();
        float[] gs = gZ.dup('c').data().asFloat();
        double[] out = new double[heads];
        int width = heads * dHead;
        for (int t = 0; t < length; t++) {
            for (int c = 0; c < width; c++) {
                out[c / dHead] += (double) zs[t * width + c] * gs[t * width + c];
            }
        }
        return out;
    }

    /** A captured [1, T, …] activation as float32 rows [T, rest], contiguous. */
    private INDArray rows(INDArray captured) {
        INDArray c = captured.castTo(DataType.FLOAT).dup('c');
        return c.reshape(length, c.length() / length);
    }
}
