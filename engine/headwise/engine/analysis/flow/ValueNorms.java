package headwise.engine.analysis.flow;

import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.run.ModelInput;

import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * Value-weighted attention norms (Kobayashi et al. 2020, "Attention is Not Only a Weight"): with
 * f^h(x_j) = (x_j W_V^h + b_V^h) W_O^h ({@link HeadOutputs}), head h moves α^h_ij f^h(x_j) from token j to token i;
 * its size is {@code perHead = α^h_ij ||f^h(x_j)||} (L2), and the layer's {@code summed = ||Σ_h α^h_ij f^h(x_j)||}.
 * The sum is computed from the heads' Gram matrix at each key, Σ_{h,h'} α^h α^{h'} ⟨f^h(x_j), f^{h'}(x_j)⟩, so no
 * T²·d tensor is ever built.
 *
 * @param perHead [L][H][T·T] row-major (row = query i, column = key j), or null when not kept
 * @param summed  [L][T·T] row-major
 * @param norms   [L][H][T] ||f^h(x_j)||
 */
public record ValueNorms(int layers, int heads, int tokens, float[][][] perHead, float[][] summed, float[][][] norms) {

    public float perHead(int layer, int head, int query, int key) {
        return perHead[layer][head][query * tokens + key];
    }

    public float summed(int layer, int query, int key) {
        return summed[layer][query * tokens + key];
    }

    /** One forward of {@code model} on {@code input}; per-head and summed norms of every layer. */
    public static ValueNorms compute(LoadedModel model, ModelInput input) {
        Collector c = collector(model.spec(), model.transformer().weights(), input.length(), true);
        LayerTap.run(model, input, Collector.PARTS, List.of(c));
        return c.result();
    }

    /** @param keepPerHead false keeps only the head-summed norms (L·T² instead of L·H·T² floats) */
    public static Collector collector(ModelSpec spec, ModelWeights weights, int tokens, boolean keepPerHead) {
        return new Collector(spec, weights, tokens, keepPerHead);
    }

    /** Computes the norms layer by layer as {@link LayerTap} delivers them. */
    public static final class Collector implements Consumer<LayerActivations> {

        public static final EnumSet<LayerActivations.Part> PARTS = EnumSet.of(LayerActivations.Part.PATTERN, LayerActivations.Part.V);

        private final ModelSpec spec;
        private final ModelWeights weights;
        private final int tokens;
        private final float[][][] perHead;
        private final float[][] summed;
        private final float[][][] norms;

        private Collector(ModelSpec spec, ModelWeights weights, int tokens, boolean keepPerHead) {
            this.spec = spec;
            this.weights = weights;
            this.tokens = tokens;
            this.perHead = keepPerHead ? new float[spec.layers()][][] : null;
            this.summed = new float[spec.layers()][];
            this.norms = new float[spec.layers()][][];
        }

        @Override
        public void accept(LayerActivations a) {
            int l = a.layer();
            float[][] f = HeadOutputs.of(spec, weights.layers().get(l), a.v(), tokens);
            Layer result = layer(f, a.pattern(), tokens, spec.dModel(), perHead != null);
            if (perHead != null) {
                perHead[l] = result.perHead();
            }
            summed[l] = result.summed();
            norms[l] = result.norms();
        }

        public ValueNorms result() {
            return new ValueNorms(spec.layers(), spec.heads(), tokens, perHead, summed, norms);
        }
    }

    record Layer(float[][] perHead, float[] summed, float[][] norms) {
    }

    /**
     * @param f       [H][T·d] head outputs f^h(x_j)
     * @param pattern [H][T·T] attention
     */
    static Layer layer(float[][] f, float[][] pattern, int tokens, int d, boolean keepPerHead) {
        int heads = f.length;
        // gram[j][h][h'] = ⟨f^h(x_j), f^h'(x_j)⟩, in double
        double[][] gram = new double[tokens][heads * heads];
        float[][] norms = new float[heads][tokens];
        for (int j = 0; j < tokens; j++) {
            int base = j * d;
            for (int h = 0; h < heads; h++) {
                for (int g = h; g < heads; g++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += (double) f[h][base + c] * f[g][base + c];
                    }
                    gram[j][h * heads + g] = dot;
                    gram[j][g * heads + h] = dot;
                }
                norms[h][j] = (float) Math.sqrt(gram[j][h * heads + h]);
            }
        }
        float[][] perHead = keepPerHead ? new float[heads][tokens * tokens] : null;
        float[] summed = new float[tokens * tokens];
        double[] alpha = new double[heads];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                int ij = i * tokens + j;
                boolean any = false;
                for (int h = 0; h < heads; h++) {
                    alpha[h] = pattern[h][ij];
                    any |= alpha[h] != 0;
                    if (perHead != null) {
                        perHead[h][ij] = (float) (alpha[h] * norms[h][j]);
                    }
                }
                if (!any) {
                    continue;
                }
                double[] gj = gram[j];
                double square = 0;
                for (int h = 0; h < heads; h++) {
                    double row = 0;
                    for (int g = 0; g < heads; g++) {
                        row += gj[h * heads + g] * alpha[g];
                    }
                    square += alpha[h] * row;
                }
                summed[ij] = (float) Math.sqrt(Math.max(0, square));
            }
        }
        return new Layer(perHead, summed, norms);
    }
}
