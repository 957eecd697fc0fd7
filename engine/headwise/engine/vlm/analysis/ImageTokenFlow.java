package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.Ops;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * FlowCut's information-flow score of every image token through the decoder (Tong et al. 2025; the multi-criteria
 * score its LLaVA code computes in the language model). With q the last prompt position (the query whose view of the
 * image decides), I the image positions and, per layer:
 * relation r_j = mean_h A^h_{q,j} / Σ_{k∈I} A^h_{q,k} (the attention restricted to the image);
 * semantic s_j = mean over key/value heads of softmax_{j∈I}(v_q · v_j / sqrt(d_head));
 * score_j = (r_j/Σr + s_j/Σs) · ‖mean_h v_j‖₁.
 * The running score starts at C = 0 and every layer applies C ← 0.5·C + 0.5·score, as for the ViT CLS relay
 * ({@link headwise.engine.analysis.flow.FlowCut}). One forward.
 *
 * @param query      the query position q
 * @param scores     [layer][image token] score_j
 * @param cumulative [image token] C after the last layer
 * @param attention  [layer][image token] mean_h A^h_{q,j}: the single-layer attention baseline
 */
public record ImageTokenFlow(int query, double[][] scores, double[] cumulative, double[][] attention) {

    /** @param query the query position, or null for the last non-generated position */
    public static ImageTokenFlow compute(JoinedSequence sequence, Integer query) {
        var classes = sequence.classes();
        if (classes.imageCount() == 0) {
            throw new HeadwiseException("FlowCut: the sequence holds no image");
        }
        int imageEnd = classes.imageEnd();
        int q = query != null ? query : lastPrompt(sequence);
        if (q < imageEnd || q >= sequence.length()) {
            throw new HeadwiseException("FlowCut: the query position " + q + " must lie after the image (" + imageEnd + ".."
                    + (sequence.length() - 1) + ")");
        }
        var spec = sequence.decoder().spec();
        double[][] scores = new double[spec.layers()][];
        double[][] attention = new double[spec.layers()][];
        Hooks hooks = Hooks.none();
        for (int layer = 0; layer < spec.layers(); layer++) {
            int l = layer;
            float[][] v = new float[1][];
            hooks.intervene(HookNames.v(l), x -> { // v comes before the pattern in a layer
                v[0] = Ops.floats(x);
                return x;
            });
            hooks.intervene(HookNames.pattern(l), pattern -> { // only the query's row of each head is read
                float[][] rows = queryRows(pattern, q);
                attention[l] = meanAttention(rows, classes.imageFirst(), classes.imageCount());
                scores[l] = layer(rows, v[0], q, classes.imageFirst(), classes.imageCount(), spec.kvHeads(), spec.dHead());
                return pattern;
            });
        }
        sequence.run(hooks);
        double[] c = new double[classes.imageCount()];
        for (double[] score : scores) {
            for (int j = 0; j < c.length; j++) {
                c[j] = 0.5 * c[j] + 0.5 * score[j];
            }
        }
        return new ImageTokenFlow(q, scores, c, attention);
    }

    /**
     * The CLS-relay criterion where the vision tower has a CLS token: the tower's CLS attention row over its own
     * sequence (P values, CLS first, e.g. mean over heads at the feature layer) as a score per image token of the
     * decoder. With the "default" feature strategy (CLS dropped) N = P − 1 and the row's first value, CLS on itself,
     * is left out; with "full" (CLS kept) N = P and every value is used.
     */
    public static double[] clsRelay(double[] towerClsRow, int imageTokens) {
        if (towerClsRow.length == imageTokens + 1) {
            return java.util.Arrays.copyOfRange(towerClsRow, 1, towerClsRow.length);
        }
        if (towerClsRow.length == imageTokens) {
            return towerClsRow.clone();
        }
        throw new HeadwiseException("FlowCut: the tower's CLS row has " + towerClsRow.length + " values for " + imageTokens
                + " image tokens (expected " + (imageTokens + 1) + ", CLS first, or " + imageTokens + ")");
    }

    static int lastPrompt(JoinedSequence sequence) {
        for (int i = sequence.length() - 1; i >= 0; i--) {
            if (sequence.classes().at(i) != TokenClass.GENERATED) {
                return i;
            }
        }
        return sequence.length() - 1;
    }

    /** Row q of every head of pattern [1, H, T, T]: [H][T]. */
    private static float[][] queryRows(INDArray pattern, int q) {
        float[] all = Ops.floats(pattern.get(point(0), all(), point(q), all()));
        int heads = (int) pattern.size(1);
        int t = all.length / heads;
        float[][] out = new float[heads][];
        for (int h = 0; h < heads; h++) {
            out[h] = java.util.Arrays.copyOfRange(all, h * t, (h + 1) * t);
        }
        return out;
    }

    /** mean_h A^h_{q,j} over the image positions. */
    static double[] meanAttention(float[][] rows, int start, int count) {
        double[] out = new double[count];
        for (float[] row : rows) {
            for (int j = 0; j < count; j++) {
                out[j] += row[start + j] / (double) rows.length;
            }
        }
        return out;
    }

    /**
     * @param rows [H][T] the query's attention row in each head
     * @param v    [T·kvHeads·dHead]
     */
    static double[] layer(float[][] rows, float[] v, int q, int start, int count, int kvHeads, int dHead) {
        double[] relation = new double[count];
        for (float[] row : rows) {
            double mass = 0;
            for (int j = 0; j < count; j++) {
                mass += row[start + j];
            }
            for (int j = 0; mass > 0 && j < count; j++) {
                relation[j] += row[start + j] / mass / rows.length;
            }
        }
        int width = kvHeads * dHead;
        double scale = 1 / Math.sqrt(dHead);
        double[] semantic = new double[count];
        double[] dots = new double[count];
        for (int h = 0; h < kvHeads; h++) {
            int off = h * dHead;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < count; j++) {
                double dot = 0;
                for (int c = 0; c < dHead; c++) {
                    dot += (double) v[q * width + off + c] * v[(start + j) * width + off + c];
                }
                dots[j] = dot * scale;
                max = Math.max(max, dots[j]);
            }
            double z = 0;
            for (int j = 0; j < count; j++) {
                dots[j] = Math.exp(dots[j] - max);
                z += dots[j];
            }
            for (int j = 0; j < count; j++) {
                semantic[j] += dots[j] / z / kvHeads;
            }
        }
        double sumRelation = 0;
        double sumSemantic = 0;
        for (int j = 0; j < count; j++) {
            sumRelation += relation[j];
            sumSemantic += semantic[j];
        }
        double[] score = new double[count];
        for (int j = 0; j < count; j++) {
            double l1 = 0;
            int row = (start + j) * width;
            for (int c = 0; c < dHead; c++) {
                double mean = 0;
                for (int h = 0; h < kvHeads; h++) {
                    mean += v[row + h * dHead + c];
                }
                l1 += Math.abs(mean / kvHeads);
            }
            score[j] = ((sumRelation > 0 ? relation[j] / sumRelation : 0) + semantic[j] / sumSemantic) * l1;
        }
        return score;
    }
}
