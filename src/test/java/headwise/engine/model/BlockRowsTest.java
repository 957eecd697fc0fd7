package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/** The partial forwards the ablation uses give the rows of the whole forward. */
class BlockRowsTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "bert_f32", "mistral_window_f32"})
    void blockRowsMlpHalfAndResumingWithACacheMatchTheFullForward(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer t = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            int length = ids.length;
            Transformer.Result clean = t.run(new int[][] {ids}, Hooks.capturing(n -> true));
            ActivationCache c = clean.cache();
            int layer = 1;
            INDArray full = c.get(HookNames.residPost(layer));
            for (int[] rows : new int[][] {{length - 1, length}, {2, 5}, {0, length}}) {
                INDArray part = t.blockRows(layer, c.get(HookNames.residPre(layer)), rows[0], rows[1]);
                assertClose(full.get(all(), interval(rows[0], rows[1]), all()), part, fixture + " rows " + rows[0]);
            }
            assertClose(full, t.mlpHalf(layer, c.get(HookNames.residMid(layer))), fixture + " mlp half");
            if (t.spec().causal()) {
                // the last position alone from layer 1, against the cached keys and values of the earlier ones
                int p = length - 1;
                INDArray[] keys = new INDArray[t.spec().layers()];
                INDArray[] values = new INDArray[t.spec().layers()];
                for (int l = layer; l < keys.length; l++) {
                    keys[l] = c.get(HookNames.k(l)).get(all(), interval(0, p), all(), all()).dup();
                    values[l] = c.get(HookNames.v(l)).get(all(), interval(0, p), all(), all()).dup();
                }
                INDArray last = c.get(HookNames.residPre(layer)).get(all(), interval(p, p + 1), all()).dup();
                INDArray out = t.runFrom(layer, last, Hooks.none(), KvCache.of(keys, values, p)).output();
                assertClose(clean.output().get(all(), interval(p, p + 1), all()), out, fixture + " resumed with a cache");
            }
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double err = expected.sub(actual).amaxNumber().doubleValue();
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        assertTrue(err <= 1e-5 * scale, what + ": " + err);
    }
}
