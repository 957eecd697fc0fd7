package headwise.engine.llama;

import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.KvCache;
import headwise.engine.model.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Decoding with a KV cache (RoPE at the cached offset, the sliding window over cached keys, per layer in Gemma-2/3;
 * OPT's learned positions at the offset) gives the logits of the full forward at every position: token by token,
 * and after a prefill of the first half.
 */
class LlamaKvCacheTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama_f32", "mistral_window_f32", "gemma2_f32", "gemma3_f32", "pythia_f32", "phi3_f32", "opt_f32",
            "qwen3_f32"})
    void cachedDecodingMatchesFullForward(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            INDArray full = transformer.run(new int[][] {ids}, Hooks.none()).output(); // [1, T, V]

            double stepError = decode(transformer, ids, 1, full);
            double prefillError = decode(transformer, ids, ids.length / 2, full);
            System.out.printf("kv-cache %-20s token by token max|err| %.2e  after prefill max|err| %.2e%n",
                    fixture, stepError, prefillError);
            assertTrue(stepError <= 1e-5, fixture + " token-by-token error " + stepError);
            assertTrue(prefillError <= 1e-5, fixture + " prefill error " + prefillError);
        }
    }

    /** Runs the first {@code prefill} ids at once, then one id per step; max |error| of each step's last logits. */
    private static double decode(Transformer transformer, int[] ids, int prefill, INDArray full) {
        KvCache cache = new KvCache(transformer.spec().layers());
        double max = 0;
        int position = 0;
        while (position < ids.length) {
            int step = position == 0 ? prefill : 1;
            int[] chunk = Arrays.copyOfRange(ids, position, position + step);
            INDArray out = transformer.run(new int[][] {chunk}, Hooks.none(), cache).output();
            position += step;
            INDArray last = out.get(point(0), point(step - 1), all());
            INDArray expected = full.get(point(0), point(position - 1), all());
            max = Math.max(max, last.sub(expected).amaxNumber().doubleValue());
        }
        return max;
    }
}
