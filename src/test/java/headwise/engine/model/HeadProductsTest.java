package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attention through one BLAS call per head and query block (HeadProducts) gives what ND4J's batched matmul over the
 * whole square gives, with blocks of a few rows that leave later keys out, grouped-query heads, a sliding window,
 * a cached prefix, an encoder, and pattern hooks that capture or replace.
 */
class HeadProductsTest {

    /** The model with causal products of {@code queries} queries per block. */
    private static Transformer blocksOf(LoadedModel model, int queries) {
        return model.transformer().withOptions(ForwardOptions.defaults().withQueryBlock(queries));
    }

    /** An identity intervention on every layer's scores: it sends the run down the batched path. */
    private static Hooks batched(LoadedModel model) {
        Hooks hooks = Hooks.none();
        for (int layer = 0; layer < model.spec().layers(); layer++) {
            hooks.intervene(HookNames.attnScores(layer), UnaryOperator.identity());
        }
        return hooks;
    }

    private static float[] values(INDArray x) {
        return x.dup('c').data().asFloat();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "mistral_window_f32", "bert_f32"})
    void blocksOfAFewQueriesMatchTheBatchedProductAndTheReference(String fixture) {
        int block = 3; // ragged last block, and every other block leaves keys out
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = blocksOf(model, block);
            int[][] ids = {Fixtures.inputIds(fixture)};
            assertTrue(ids[0].length > 2 * block, "several blocks");
            Hooks capture = Hooks.capturing(name -> name.endsWith("hook_pattern") || name.endsWith("hook_z"));
            Transformer.Result perHead = transformer.run(ids, capture);
            Hooks batchedCapture = batched(model).capture(name -> name.endsWith("hook_pattern") || name.endsWith("hook_z"));
            Transformer.Result whole = transformer.run(ids, batchedCapture);
            assertArrayEquals(values(whole.output()), values(perHead.output()), 1e-5f, fixture);
            for (int layer = 0; layer < model.spec().layers(); layer++) {
                assertArrayEquals(values(whole.cache().get(HookNames.pattern(layer))),
                        values(perHead.cache().get(HookNames.pattern(layer))), 1e-5f, fixture + " pattern " + layer);
                assertArrayEquals(values(whole.cache().get(HookNames.z(layer))),
                        values(perHead.cache().get(HookNames.z(layer))), 1e-5f, fixture + " z " + layer);
            }
            assertArrayEquals(Fixtures.reference(fixture, "output.npy").values(), values(perHead.output()), 1e-5f,
                    fixture + " vs reference");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "mistral_window_f32"})
    void afterACachedPrefixTheBlocksStartAtTheRightPosition(String fixture) {
        int block = 2;
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = blocksOf(model, block);
            int[] all = Fixtures.inputIds(fixture);
            int split = all.length / 2 + 1;
            float[] whole = values(transformer.run(new int[][] {all}, batched(model)).output());
            KvCache cache = new KvCache(model.spec().layers());
            transformer.run(new int[][] {Arrays.copyOf(all, split)}, Hooks.none(), cache);
            float[] rest = values(transformer.run(new int[][] {Arrays.copyOfRange(all, split, all.length)},
                    Hooks.none(), cache).output());
            assertArrayEquals(Arrays.copyOfRange(whole, whole.length - rest.length, whole.length), rest, 1e-5f, fixture);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void aReplacedPatternIsMultipliedWithAllKeys(String fixture) {
        int block = 3;
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = blocksOf(model, block);
            int[][] ids = {Fixtures.inputIds(fixture)};
            // uniform attention over every key, later ones included: only meaningful as a test of the arithmetic
            UnaryOperator<INDArray> uniform = p -> p.dup().assign(1.0 / p.size(3));
            Hooks perHead = Hooks.none().intervene(HookNames.pattern(1), uniform);
            Hooks whole = batched(model).intervene(HookNames.pattern(1), uniform);
            float[] expected = values(transformer.run(ids, whole).output());
            float[] actual = values(transformer.run(ids, perHead).output());
            assertArrayEquals(expected, actual, 1e-5f, fixture);
            float[] clean = values(transformer.run(ids, Hooks.none()).output());
            assertTrue(Math.abs(clean[clean.length - 1] - actual[actual.length - 1]) > 1e-4, "the intervention changed the output");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32"})
    void aBatchOfCopiesIsComputedCopyByCopy(String fixture) {
        int block = 4;
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = blocksOf(model, block);
            int[] a = Fixtures.inputIds(fixture);
            int[] b = a.clone();
            for (int i = 0; i < b.length; i++) {
                b[i] = (b[i] * 5 + 1) % model.spec().vocabSize();
            }
            float[] both = values(transformer.run(new int[][] {a, b}, Hooks.none()).output());
            float[] first = values(transformer.run(new int[][] {a}, batched(model)).output());
            float[] second = values(transformer.run(new int[][] {b}, batched(model)).output());
            assertArrayEquals(first, Arrays.copyOfRange(both, 0, first.length), 1e-5f);
            assertArrayEquals(second, Arrays.copyOfRange(both, first.length, both.length), 1e-5f);
        }
    }
}
