package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A head's pattern recomputed from its q and k, a block of 128 queries per thread straight into the heap array, is
 * the masked softmax of q·kᵀ computed directly (in double): over several blocks and a ragged last one, causal or not,
 * with a sliding window (layer 0 of the Mistral fixture) and a soft-cap (Gemma-2).
 */
class SingleHeadPatternTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama_f32", "mistral_window_f32", "bert_f32", "gemma2_f32"})
    void blocksOfQueriesGiveTheDirectMaskedSoftmax(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelSpec spec = model.spec();
            int length = 300;
            int d = spec.dHead();
            Random random = new Random(3);
            float[] q = new float[length * d];
            float[] k = new float[length * d];
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) random.nextGaussian();
                k[i] = (float) random.nextGaussian();
            }
            float[] pattern = SingleHeadPattern.compute(spec, 0, q, k, length);
            double scale = spec.attentionScale();
            double cap = spec.variant().scoreSoftcap();
            int window = spec.window(0);
            if (fixture.startsWith("mistral")) {
                org.junit.jupiter.api.Assertions.assertTrue(window > 0 && window < length, "the window hides keys: " + window);
            }
            for (int i = 0; i < length; i++) {
                double[] s = new double[length];
                boolean[] visible = new boolean[length];
                for (int j = 0; j < length; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += (double) q[i * d + c] * k[j * d + c];
                    }
                    s[j] = cap > 0 ? cap * Math.tanh(scale * dot / cap) : scale * dot;
                    visible[j] = !spec.causal() || (j <= i && (window <= 0 || i - j < window));
                }
                double[] expected = FloatRowsTest.visibleSoftmax(s, visible);
                for (int j = 0; j < length; j++) {
                    assertEquals(expected[j], pattern[i * length + j], 2e-6, fixture + " query " + i + " key " + j);
                }
            }
        }
    }
}
