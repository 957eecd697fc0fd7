package headwise.engine.analysis.flow;

import headwise.engine.HeadwiseException;
import headwise.engine.image.PatchGrid;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.ModelInput;

import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * FlowCut's CLS-relay scores for vision transformers (Tong et al. 2025): how much each patch feeds the CLS token,
 * layer by layer. Over the patch tokens j (CLS and DeiT's distillation token excluded), per layer:
 * a_j = mean_h A^h_{CLS,j}; s_j = mean_h softmax_j(v^h_CLS · v^h_j) (unscaled dot products, softmax over the
 * patches); score_j = (a_j/Σa + s_j/Σs) · ||mean_h v^h_j||₁. The value terms run over the key/value heads.
 * The running score starts at C = 0 and every layer applies C ← 0.5·C + 0.5·score.
 *
 * @param specialTokens tokens before the first patch (CLS, and DeiT's distillation token)
 * @param scores        [L][patches]
 * @param cumulative    [patches], C after the last layer
 */
public record FlowCut(int layers, int specialTokens, int patches, double[][] scores, double[] cumulative) {

    public static FlowCut compute(LoadedModel model, ModelInput input) {
        Collector c = collector(model.spec(), input);
        LayerTap.run(model, input, Collector.PARTS, List.of(c));
        return c.result();
    }

    /** A clear error unless {@code input} is an image for a vision transformer. */
    public static Collector collector(ModelSpec spec, ModelInput input) {
        if (spec.vision() == null) {
            throw new HeadwiseException("FlowCut: " + spec.architecture() + " is not a vision transformer (FlowCut scores image patches by their flow into CLS)");
        }
        PatchGrid grid = input.grid() != null ? input.grid() : PatchGrid.trained(spec.vision());
        if (grid.tokens() != input.length()) {
            throw new HeadwiseException("FlowCut: the input has " + input.length() + " tokens, the patch grid " + grid.tokens());
        }
        return new Collector(spec, grid.specialTokens(), input.length());
    }

    /** Scores layer by layer as {@link LayerTap} delivers them. */
    public static final class Collector implements Consumer<LayerActivations> {

        public static final EnumSet<LayerActivations.Part> PARTS = EnumSet.of(LayerActivations.Part.PATTERN, LayerActivations.Part.V);

        private final ModelSpec spec;
        private final int special;
        private final int tokens;
        private final double[][] scores;

        private Collector(ModelSpec spec, int special, int tokens) {
            this.spec = spec;
            this.special = special;
            this.tokens = tokens;
            this.scores = new double[spec.layers()][];
        }

        @Override
        public void accept(LayerActivations a) {
            scores[a.layer()] = layer(a.pattern(), a.v(), tokens, special, spec.kvHeads(), spec.dHead());
        }

        public FlowCut result() {
            int patches = tokens - special;
            double[] c = new double[patches];
            for (double[] score : scores) {
                for (int j = 0; j < patches; j++) {
                    c[j] = 0.5 * c[j] + 0.5 * score[j];
                }
            }
            return new FlowCut(scores.length, special, patches, scores, c);
        }
    }

    /**
     * @param pattern [H][T·T]
     * @param v       [T·kvHeads·dHead]
     * @return score_j for the patches j = special..T−1
     */
    static double[] layer(float[][] pattern, float[] v, int tokens, int special, int kvHeads, int dHead) {
        int patches = tokens - special;
        int heads = pattern.length;
        int width = kvHeads * dHead;
        double[] a = new double[patches];
        for (float[] head : pattern) {
            for (int j = 0; j < patches; j++) {
                a[j] += head[special + j] / (double) heads; // row 0 = CLS
            }
        }
        double[] s = new double[patches];
        double[] dots = new double[patches];
        for (int h = 0; h < kvHeads; h++) {
            int off = h * dHead;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < patches; j++) {
                double dot = 0;
                int row = (special + j) * width + off;
                for (int c = 0; c < dHead; c++) {
                    dot += (double) v[off + c] * v[row + c];
                }
                dots[j] = dot;
                max = Math.max(max, dot);
            }
            double z = 0;
            for (int j = 0; j < patches; j++) {
                dots[j] = Math.exp(dots[j] - max);
                z += dots[j];
            }
            for (int j = 0; j < patches; j++) {
                s[j] += dots[j] / z / kvHeads;
            }
        }
        double sumA = 0;
        double sumS = 0;
        for (int j = 0; j < patches; j++) {
            sumA += a[j];
            sumS += s[j];
        }
        double[] score = new double[patches];
        for (int j = 0; j < patches; j++) {
            int row = (special + j) * width;
            double l1 = 0;
            for (int c = 0; c < dHead; c++) {
                double mean = 0;
                for (int h = 0; h < kvHeads; h++) {
                    mean += v[row + h * dHead + c];
                }
                l1 += Math.abs(mean / kvHeads);
            }
            double attention = sumA > 0 ? a[j] / sumA : 0;
            score[j] = (attention + s[j] / sumS) * l1;
        }
        return score;
    }
}
