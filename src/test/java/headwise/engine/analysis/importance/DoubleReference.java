package headwise.engine.analysis.importance;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * The real forward (Transformer's code) in float64, for finite differences without float32 noise: the weights are
 * cast to double, and the two places where the forward creates float32 arrays itself (the causal mask and RoPE)
 * are done by interventions instead: the spec is made non-causal without RoPE, and hooks apply RoPE at
 * {@code hook_q}/{@code hook_k} and the causal (sliding-window) mask at {@code hook_attn_scores}.
 */
final class DoubleReference {

    final Transformer transformer;
    private final ModelSpec original;

    DoubleReference(Transformer t) {
        this.original = t.spec();
        ModelSpec s = t.spec();
        ModelSpec plain = new ModelSpec(s.family(), s.architecture(), s.layers(), s.heads(), s.kvHeads(), s.dModel(), s.dHead(),
                s.dMlp(), s.vocabSize(), s.maxPositions(), false, s.norm(), s.postNorm(), s.normEps(), s.activation(), s.output(),
                null, 0, s.vision(), s.variant()); // the variant's windows and local RoPE only act with RoPE and a mask
        ModelWeights w = t.weights();
        List<ModelWeights.LayerWeights> layers = w.layers().stream().map(l -> new ModelWeights.LayerWeights(
                norm(l.attnNorm()), linear(l.q()), linear(l.k()), linear(l.v()), linear(l.o()), norm(l.mlpNorm()),
                linear(l.mlpIn()), linear(l.mlpGate()), linear(l.mlpOut()), norm(l.qNorm()), norm(l.kNorm()),
                norm(l.postAttnNorm()), norm(l.postMlpNorm()))).toList();
        ModelWeights.VisionWeights v = w.vision();
        ModelWeights.VisionWeights vision = v == null ? null : new ModelWeights.VisionWeights(linear(v.patchEmbed()),
                d(v.clsToken()), d(v.distillationToken()), d(v.positions()), linear(v.distillationClassifier()));
        this.transformer = new Transformer(plain, new ModelWeights(d(w.tokenEmbed()), d(w.positionEmbed()), d(w.tokenTypeEmbed()),
                norm(w.embedNorm()), layers, norm(w.finalNorm()), linear(w.unembed()), vision, linear(w.projectIn()),
                linear(w.projectOut())));
    }

    /** Hooks restoring the original model's causal mask and RoPE, on which the caller may add its own. */
    Hooks hooks() {
        Hooks hooks = Hooks.none();
        for (int layer = 0; layer < original.layers(); layer++) {
            ModelSpec.Rope rope = original.rope(layer);
            if (rope != null) {
                hooks.intervene(HookNames.q(layer), x -> rope(x, rope));
                hooks.intervene(HookNames.k(layer), x -> rope(x, rope));
            }
            int window = original.window(layer);
            if (original.causal()) {
                hooks.intervene(HookNames.attnScores(layer), scores -> mask(scores, window));
            }
        }
        return hooks;
    }

    /** The output (float64) of the original model with {@code extra} interventions. */
    INDArray output(int[] ids, INDArray embedded, Hooks hooks) {
        return embedded != null ? transformer.runFromEmbeddings(embedded.castTo(DataType.DOUBLE), hooks).output()
                : transformer.run(new int[][] {ids}, hooks).output();
    }

    private INDArray mask(INDArray scores, int window) { // [batch, head, query, key]
        INDArray out = scores.dup('c');
        long t = scores.size(2);
        for (long b = 0; b < scores.size(0); b++) {
            for (long h = 0; h < scores.size(1); h++) {
                for (long i = 0; i < t; i++) {
                    for (long j = 0; j < t; j++) {
                        if (j > i || (window > 0 && i - j >= window)) {
                            out.putScalar(new long[] {b, h, i, j}, Double.NEGATIVE_INFINITY);
                        }
                    }
                }
            }
        }
        return out;
    }

    private INDArray rope(INDArray x, ModelSpec.Rope rope) { // [batch, pos, head, d_head], positions from 0
        long batch = x.size(0);
        int length = (int) x.size(1);
        long heads = x.size(2);
        int dHead = (int) x.size(3);
        int half = rope.rotated(dHead) / 2;
        double[] inverse = headwise.engine.model.Rope.inverseFrequencies(rope, dHead);
        boolean adjacent = rope.layout() == ModelSpec.RopeLayout.ADJACENT_PAIRS;
        double[] v = x.dup('c').data().asDouble();
        for (long b = 0; b < batch; b++) {
            for (int p = 0; p < length; p++) {
                for (long h = 0; h < heads; h++) {
                    int base = (int) (((b * length + p) * heads + h) * dHead);
                    for (int i = 0; i < half; i++) {
                        float angle = (float) p * (float) inverse[i];
                        double c = Math.cos(angle);
                        double s = Math.sin(angle);
                        int first = base + (adjacent ? 2 * i : i);
                        int second = base + (adjacent ? 2 * i + 1 : i + half);
                        double a = v[first];
                        double bb = v[second];
                        v[first] = a * c - bb * s;
                        v[second] = a * s + bb * c;
                    }
                }
            }
        }
        return Nd4j.create(v, x.shape(), 'c');
    }

    private static INDArray d(INDArray x) {
        return x == null ? null : x.castTo(DataType.DOUBLE);
    }

    private static ModelWeights.Linear linear(ModelWeights.Linear l) {
        return l == null ? null : new ModelWeights.Linear(d(l.weight()), d(l.bias()));
    }

    private static ModelWeights.NormWeights norm(ModelWeights.NormWeights n) {
        return n == null ? null : new ModelWeights.NormWeights(d(n.gain()), d(n.bias()));
    }
}
