package headwise.engine.analysis.flow;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.run.ModelInput;

import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Contributions of the parts of each block to its output (Ferrando &amp; Voita 2024, "Information Flow Routes"; the
 * LLM Transparency Tool), before any threshold. With the L1 norm and {@code c(part, whole) = max(||whole||₁ −
 * ||whole − part||₁, ε)}, ε = {@value #EPSILON}, normalised to sum to 1 over the parts of one whole:
 * <ul>
 * <li>attention block of layer l, query i: whole = resid_mid_i; parts z_ijh = α^h_ij f^h(x_j) for every head h and
 * every key j the query can see ({@link HeadOutputs}), plus the residual resid_pre_i. {@code attention[l][i·T+j] =
 * Σ_h c_ijh}; {@code residual[l][i]} the residual's share. The output bias b_O belongs to no part.</li>
 * <li>MLP block: whole = resid_post_i, parts mlp_out_i ({@code mlp[l][i]}) and resid_mid_i ({@code mlpResidual[l][i]}).</li>
 * </ul>
 * Keys a query cannot see (causal mask, sliding window) are no parts at all; the LLM Transparency Tool also counts
 * them, each at ε, which changes the shares by at most ε·T·H / Σ. Computed query by query from the head outputs
 * f^h(x_j) ([H, T, d] per layer): nothing of size T²·H·d is built. For post-norm models (BERT) resid_post is
 * normalised after the sum, so the MLP split is only indicative there.
 *
 * @param attention [L][T·T] row = query i (node at layer l+1), column = key j (node at layer l)
 * @param perHead   [L][H][T·T] c_ijh, or null when not kept
 * @param residual  [L][T]
 * @param mlp       [L][T]
 * @param mlpResidual [L][T]; mlp + mlpResidual = 1
 */
public record Contributions(int layers, int heads, int tokens, float[][] attention, float[][][] perHead,
                            float[][] residual, float[][] mlp, float[][] mlpResidual) {

    public static final double EPSILON = 1e-5;

    public float attention(int layer, int query, int key) {
        return attention[layer][query * tokens + key];
    }

    /** One forward of {@code model} on {@code input}. */
    public static Contributions compute(LoadedModel model, ModelInput input, boolean keepPerHead) {
        Collector c = collector(model.spec(), model.transformer().weights(), input.length(), keepPerHead);
        LayerTap.run(model, input, Collector.PARTS, List.of(c));
        return c.result();
    }

    public static Collector collector(ModelSpec spec, ModelWeights weights, int tokens, boolean keepPerHead) {
        if (!supports(weights)) {
            throw new HeadwiseException("token contributions are not defined for " + spec.architecture()
                    + ": a norm on the attention output (Gemma-2/3) makes it no sum of per-head terms");
        }
        return new Collector(spec, weights, tokens, keepPerHead);
    }

    /** Whether each layer's attention output is the sum of its heads' terms, which the decomposition needs. */
    public static boolean supports(ModelWeights weights) {
        return weights.layers().stream().allMatch(w -> w.postAttnNorm() == null);
    }

    /** Computes the contributions layer by layer as {@link LayerTap} delivers them. */
    public static final class Collector implements Consumer<LayerActivations> {

        public static final EnumSet<LayerActivations.Part> PARTS = EnumSet.allOf(LayerActivations.Part.class);

        private final ModelSpec spec;
        private final ModelWeights weights;
        private final int tokens;
        private final boolean keepPerHead;
        private final float[][] attention;
        private final float[][][] perHead;
        private final float[][] residual;
        private final float[][] mlp;
        private final float[][] mlpResidual;

        private Collector(ModelSpec spec, ModelWeights weights, int tokens, boolean keepPerHead) {
            this.spec = spec;
            this.weights = weights;
            this.tokens = tokens;
            this.keepPerHead = keepPerHead;
            int layers = spec.layers();
            attention = new float[layers][];
            perHead = keepPerHead ? new float[layers][][] : null;
            residual = new float[layers][];
            mlp = new float[layers][];
            mlpResidual = new float[layers][];
        }

        @Override
        public void accept(LayerActivations a) {
            int l = a.layer();
            float[][] f = HeadOutputs.of(spec, weights.layers().get(l), a.v(), tokens);
            Mask mask = new Mask(spec.causal(), spec.window(l));
            Attention block = attention(f, a.pattern(), a.residPre(), a.residMid(), tokens, spec.dModel(), mask, keepPerHead);
            attention[l] = block.attention();
            residual[l] = block.residual();
            if (perHead != null) {
                perHead[l] = block.perHead();
            }
            float[][] m = mlp(a.residMid(), a.mlpOut(), a.residPost(), tokens, spec.dModel());
            mlp[l] = m[0];
            mlpResidual[l] = m[1];
        }

        public Contributions result() {
            return new Contributions(spec.layers(), spec.heads(), tokens, attention, perHead, residual, mlp, mlpResidual);
        }
    }

    /** Which keys a query sees: all (bidirectional), j ≤ i (causal), and with a window only i − j &lt; window. */
    record Mask(boolean causal, int window) {
        int first(int query) {
            return causal && window > 0 ? Math.max(0, query - window + 1) : 0;
        }

        int end(int query, int tokens) {
            return causal ? query + 1 : tokens;
        }
    }

    record Attention(float[] attention, float[][] perHead, float[] residual) {
    }

    /**
     * The attention block of one layer.
     *
     * @param f       [H][T·d] head outputs
     * @param pattern [H][T·T]
     */
    static Attention attention(float[][] f, float[][] pattern, float[] residPre, float[] residMid, int tokens, int d,
                               Mask mask, boolean keepPerHead) {
        int heads = f.length;
        float[] attention = new float[tokens * tokens];
        float[][] perHead = keepPerHead ? new float[heads][tokens * tokens] : null;
        float[] residual = new float[tokens];
        IntStream.range(0, tokens).parallel().forEach(i -> {
            int row = i * d;
            float[] y = java.util.Arrays.copyOfRange(residMid, row, row + d);
            double whole = 0;
            double distance = 0;
            for (int c = 0; c < d; c++) {
                whole += Math.abs(y[c]);
                distance += Math.abs(y[c] - residPre[row + c]);
            }
            int first = mask.first(i);
            int end = mask.end(i, tokens);
            double[][] raw = new double[heads][end - first];
            double sum = Math.max(whole - distance, EPSILON);
            double rawResidual = sum;
            for (int h = 0; h < heads; h++) {
                float[] fh = f[h];
                float[] ah = pattern[h];
                for (int j = first; j < end; j++) {
                    float alpha = ah[i * tokens + j];
                    double c = EPSILON;
                    if (alpha != 0) {
                        c = Math.max(whole - l1Distance(y, fh, j * d, alpha), EPSILON);
                    }
                    raw[h][j - first] = c;
                    sum += c;
                }
            }
            for (int h = 0; h < heads; h++) {
                for (int j = first; j < end; j++) {
                    double share = raw[h][j - first] / sum;
                    attention[i * tokens + j] += (float) share;
                    if (perHead != null) {
                        perHead[h][i * tokens + j] = (float) share;
                    }
                }
            }
            residual[i] = (float) (rawResidual / sum);
        });
        return new Attention(attention, perHead, residual);
    }

    /** ||y − α·f[offset, offset + d)||₁, in double; four sums keep the additions independent (this is the hot loop). */
    private static double l1Distance(float[] y, float[] f, int offset, float alpha) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int d = y.length;
        int c = 0;
        for (; c + 3 < d; c += 4) {
            s0 += Math.abs(y[c] - alpha * f[offset + c]);
            s1 += Math.abs(y[c + 1] - alpha * f[offset + c + 1]);
            s2 += Math.abs(y[c + 2] - alpha * f[offset + c + 2]);
            s3 += Math.abs(y[c + 3] - alpha * f[offset + c + 3]);
        }
        for (; c < d; c++) {
            s0 += Math.abs(y[c] - alpha * f[offset + c]);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {mlp share, resid_mid share} per token: whole resid_post, parts mlp_out and resid_mid. */
    static float[][] mlp(float[] residMid, float[] mlpOut, float[] residPost, int tokens, int d) {
        float[][] out = new float[2][tokens];
        for (int i = 0; i < tokens; i++) {
            int row = i * d;
            double whole = 0;
            double toMlp = 0;
            double toMid = 0;
            for (int c = 0; c < d; c++) {
                float y = residPost[row + c];
                whole += Math.abs(y);
                toMlp += Math.abs(y - mlpOut[row + c]);
                toMid += Math.abs(y - residMid[row + c]);
            }
            double m = Math.max(whole - toMlp, EPSILON);
            double r = Math.max(whole - toMid, EPSILON);
            out[0][i] = (float) (m / (m + r));
            out[1][i] = (float) (r / (m + r));
        }
        return out;
    }
}
