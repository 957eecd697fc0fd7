package headwise.engine.analysis.relevance;

import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Removing positions of text joined with an image (a vision-language model's decoder input): a removed text position
 * gets the baseline token's embedding row, as for plain text; a removed image position gets the mean of the image's
 * projected rows. The mean keeps the image positions' scale and offset (the projector's bias, its typical direction)
 * without any patch's content, and needs no second pass through the tower; a token embedding would be far from
 * anything the decoder sees at those positions.
 */
final class JoinedDeletion {

    private JoinedDeletion() {
    }

    /**
     * The decoder's input [B, T, d] for each keep-mask of {@code kept} (one entry per position).
     *
     * @param imageTokenId the id the expanded ids hold at every image position (−1: no image positions)
     */
    static INDArray embeddings(Transformer transformer, ModelInput input, List<boolean[]> kept, int baselineId, int imageTokenId) {
        int length = input.length();
        int d = transformer.spec().dModel();
        float[] joined = input.embeddings();
        float[] token = Ops.floats(transformer.tokenEmbeddings(new int[][] {{baselineId}}));
        float[] image = imageMean(joined, input.ids(), imageTokenId, d);
        float[] batch = new float[kept.size() * length * d];
        for (int b = 0; b < kept.size(); b++) {
            boolean[] keep = kept.get(b);
            for (int t = 0; t < length; t++) {
                float[] source = keep[t] ? joined : input.ids()[t] == imageTokenId ? image : token;
                System.arraycopy(source, keep[t] ? t * d : 0, batch, (b * length + t) * d, d);
            }
        }
        return Ops.fromFloats(batch, kept.size(), length, d);
    }

    /** The mean of the joined rows at the image positions [d] (zeros where there are none). */
    static float[] imageMean(float[] joined, int[] ids, int imageTokenId, int d) {
        double[] sum = new double[d];
        int count = 0;
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] == imageTokenId) {
                count++;
                for (int c = 0; c < d; c++) {
                    sum[c] += joined[t * d + c];
                }
            }
        }
        float[] mean = new float[d];
        for (int c = 0; c < d && count > 0; c++) {
            mean[c] = (float) (sum[c] / count);
        }
        return mean;
    }
}
