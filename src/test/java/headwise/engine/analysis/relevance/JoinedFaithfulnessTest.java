package headwise.engine.analysis.relevance;

import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Deletion and insertion on a tiny LLaVA's joined sequence (7 ids, the image token at 3, 16 image positions: 22 in
 * all): a removed text position becomes the baseline token's embedding, a removed image position the mean of the
 * image's rows. Known answers: on an image whose rows all equal their mean, removing image positions changes
 * nothing, so a map that ranks the image first gives a deletion curve flat at the clean score and an insertion curve
 * flat at the empty score for the image's 16 steps; the ends are single forwards of hand-built embeddings.
 */
class JoinedFaithfulnessTest {

    private static final int IMAGE_START = 3;
    private static final int IMAGE_POSITIONS = 16;
    private static final int BASELINE_ID = 5;

    @Test
    void imagePositionsEqualToTheirMeanCannotBeRemoved() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llava_clip_f32").toString())) {
            ModelInput joined = RelevanceReferenceTest.input(model, "llava_clip_f32");
            int d = model.spec().dModel();
            float[] rows = joined.embeddings().clone();
            float[] mean = imageMean(rows, joined.length(), d);
            for (int t = IMAGE_START; t < IMAGE_START + IMAGE_POSITIONS; t++) {
                System.arraycopy(mean, 0, rows, t * d, d);
            }
            ModelInput flat = joined.withEmbeddings(rows);
            RelevanceTarget target = Relevance.prepare(model, flat, null, null).target();
            double[] imageFirst = new double[flat.length()];
            Arrays.fill(imageFirst, IMAGE_START, IMAGE_START + IMAGE_POSITIONS, 1.0);
            RelevanceMap map = new RelevanceMap("constructed", target, 0, imageFirst, 0, 0, null);

            Faithfulness f = Faithfulness.compute(model, flat, map, FaithfulnessBaseline.token(BASELINE_ID));
            double clean = score(model, rows, target);
            double empty = score(model, allRemoved(model, rows, mean), target);
            assertEquals(flat.length(), f.steps()); // 22 units, one per step
            for (int s = 0; s <= IMAGE_POSITIONS; s++) {
                assertEquals(clean, f.deletion()[s], 1e-6, "deletion step " + s);
                assertEquals(empty, f.insertion()[s], 1e-6, "insertion step " + s);
            }
            assertEquals(empty, f.deletion()[f.steps()], 1e-6);
            assertEquals(clean, f.insertion()[f.steps()], 1e-6);
        }
    }

    /** On the real image: the all-removed input is every text row the baseline token's, every image row the mean. */
    @Test
    void theAllRemovedJoinedInputIsBaselineTokensAndTheImageMean() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llava_clip_f32").toString())) {
            ModelInput joined = RelevanceReferenceTest.input(model, "llava_clip_f32");
            Relevance.Prepared prepared = Relevance.prepare(model, joined, null, null);
            RelevanceMap map = Relevance.compute(model, prepared, RelevanceMethod.ATTN_LRP);
            Faithfulness f = Faithfulness.compute(model, joined, map, FaithfulnessBaseline.token(BASELINE_ID));
            int d = model.spec().dModel();
            float[] rows = joined.embeddings();
            double empty = score(model, allRemoved(model, rows, imageMean(rows, joined.length(), d)), prepared.target());
            assertEquals(score(model, rows, prepared.target()), f.deletion()[0], 1e-6);
            assertEquals(empty, f.deletion()[f.steps()], 1e-6);
            assertEquals(empty, f.insertion()[0], 1e-6);
        }
    }

    /** The mean of the image's rows, by ND4J over the known image run. */
    private static float[] imageMean(float[] rows, int length, int d) {
        INDArray image = Ops.fromFloats(rows, length, d).get(interval(IMAGE_START, IMAGE_START + IMAGE_POSITIONS), all());
        return Ops.floats(image.mean(0));
    }

    private static float[] allRemoved(LoadedModel model, float[] rows, float[] mean) {
        int d = model.spec().dModel();
        float[] token = Ops.floats(model.transformer().tokenEmbeddings(new int[][] {{BASELINE_ID}}));
        float[] out = rows.clone();
        for (int t = 0; t < out.length / d; t++) {
            boolean image = t >= IMAGE_START && t < IMAGE_START + IMAGE_POSITIONS;
            System.arraycopy(image ? mean : token, 0, out, t * d, d);
        }
        return out;
    }

    /** The target's probability after one forward of the joined rows. */
    private static double score(LoadedModel model, float[] rows, RelevanceTarget target) {
        int d = model.spec().dModel();
        INDArray out = model.transformer().runFromEmbeddings(Ops.fromFloats(rows, 1, rows.length / d, d), Hooks.none()).output();
        double[] row = out.get(point(0), point(target.position()), all()).castTo(DataType.DOUBLE).dup().data().asDouble();
        double max = Arrays.stream(row).max().orElse(0);
        double sum = Arrays.stream(row).map(v -> Math.exp(v - max)).sum();
        return Math.exp(row[target.id()] - max) / sum;
    }
}
