package headwise.engine.analysis.relevance;

import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Deletion starts and insertion ends at the clean input's score; deletion's end and insertion's start are the
 * all-removed input's; the batched steps agree with single forwards of the same inputs.
 */
class FaithfulnessTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "vit_f32", "bert_f32"})
    void curvesStartAndEndWhereSingleForwardsSay(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = RelevanceReferenceTest.input(model, fixture);
            Relevance.Prepared prepared = Relevance.prepare(model, input, null, null);
            RelevanceMap map = Relevance.compute(model, prepared, RelevanceMethod.CP_LRP);
            Faithfulness f = Faithfulness.compute(model, input, map, 0);
            int last = f.fractions().length - 1;
            assertEquals(0, f.fractions()[0]);
            assertEquals(1, f.fractions()[last]);
            boolean hidden = fixture.startsWith("bert");
            double clean = score(model, input, map.target(), hidden, null);
            double empty = score(model, input, map.target(), hidden, input.pixels() != null ? new float[3] : new float[] {0});
            assertEquals(clean, f.deletion()[0], 1e-5);
            assertEquals(clean, f.insertion()[last], 1e-5);
            assertEquals(empty, f.deletion()[last], 1e-5);
            assertEquals(empty, f.insertion()[0], 1e-5);
            if (!hidden) {
                assertTrue(f.deletionArea() >= 0 && f.deletionArea() <= 1 && f.insertionArea() >= 0 && f.insertionArea() <= 1);
            }
        }
    }

    /** The other baselines: the image's mean colour, a chosen token id; the fully removed input is all baseline. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "vit_f32"})
    void theAllRemovedInputIsAllBaseline(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = RelevanceReferenceTest.input(model, fixture);
            Relevance.Prepared prepared = Relevance.prepare(model, input, null, null);
            RelevanceMap map = Relevance.compute(model, prepared, RelevanceMethod.GRAD_INPUT);
            boolean image = input.pixels() != null;
            FaithfulnessBaseline baseline = image ? FaithfulnessBaseline.MEAN_PATCH : FaithfulnessBaseline.token(7);
            Faithfulness f = Faithfulness.compute(model, input, map, baseline);
            assertEquals(baseline.name(), f.baseline());
            float[] fill = image ? Faithfulness.channelMeans(input.pixels(), 3) : new float[] {7};
            double empty = score(model, input, map.target(), false, fill);
            assertEquals(empty, f.deletion()[f.deletion().length - 1], 1e-5);
            assertEquals(empty, f.insertion()[0], 1e-5);
            assertThrows(headwise.engine.HeadwiseException.class, () -> Faithfulness.compute(model, input, map,
                    image ? FaithfulnessBaseline.token(0) : FaithfulnessBaseline.ZERO_PATCH));
        }
    }

    /**
     * The target's score after one plain forward of the input; with {@code fill} every unit removed: every token
     * becomes fill[0], every pixel of channel c fill[c].
     */
    private static double score(LoadedModel model, ModelInput input, RelevanceTarget target, boolean hidden, float[] fill) {
        boolean empty = fill != null;
        INDArray out;
        if (input.pixels() != null) {
            float[] pixels = input.pixels().clone();
            if (empty) {
                int plane = pixels.length / 3;
                for (int c = 0; c < 3; c++) {
                    Arrays.fill(pixels, c * plane, (c + 1) * plane, fill[c]);
                }
            }
            var t = model.transformer();
            out = t.runFromEmbeddings(headwise.engine.image.PatchEmbedding.embed(t.spec(), t.weights().vision(), pixels,
                    input.grid()), Hooks.none()).output();
        } else {
            int[] ids = input.ids().clone();
            if (empty) {
                Arrays.fill(ids, (int) fill[0]);
            }
            out = model.transformer().run(new int[][] {ids}, Hooks.none()).output();
        }
        double[] row = out.get(point(0), point(out.size(1) == 1 ? 0 : target.position()), all()).castTo(
                org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup().data().asDouble();
        if (hidden) {
            return row[target.id()];
        }
        double max = Arrays.stream(row).max().orElse(0);
        double sum = Arrays.stream(row).map(v -> Math.exp(v - max)).sum();
        return Math.exp(row[target.id()] - max) / sum;
    }
}
