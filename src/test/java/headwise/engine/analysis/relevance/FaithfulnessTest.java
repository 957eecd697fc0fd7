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
            double clean = score(model, input, map.target(), hidden, false);
            double empty = score(model, input, map.target(), hidden, true);
            assertEquals(clean, f.deletion()[0], 1e-5);
            assertEquals(clean, f.insertion()[last], 1e-5);
            assertEquals(empty, f.deletion()[last], 1e-5);
            assertEquals(empty, f.insertion()[0], 1e-5);
            if (!hidden) {
                assertTrue(f.deletionArea() >= 0 && f.deletionArea() <= 1 && f.insertionArea() >= 0 && f.insertionArea() <= 1);
            }
        }
    }

    /** The target's score after one plain forward of the input (every unit removed when {@code empty}). */
    private static double score(LoadedModel model, ModelInput input, RelevanceTarget target, boolean hidden, boolean empty) {
        INDArray out;
        if (input.pixels() != null) {
            float[] pixels = input.pixels().clone();
            if (empty) {
                Arrays.fill(pixels, 0f);
            }
            var t = model.transformer();
            out = t.runFromEmbeddings(headwise.engine.image.PatchEmbedding.embed(t.spec(), t.weights().vision(), pixels,
                    input.grid()), Hooks.none()).output();
        } else {
            int[] ids = empty ? new int[input.length()] : input.ids();
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
