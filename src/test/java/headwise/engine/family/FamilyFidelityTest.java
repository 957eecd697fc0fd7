package headwise.engine.family;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPT-NeoX/Pythia, Gemma 1/2/3, Qwen3, Phi-3 and OPT checkpoints against the independent float64 PyTorch forwards of
 * make_family_fixtures.py: attention, output and layer 1's hook_q (after q-norm and RoPE) within 1e-5 for F32
 * weights, and for the BF16 cases too: their reference runs on the same rounded weights, so only float32 arithmetic
 * remains (measured: up to 3.4e-6, the same as F32).
 */
class FamilyFidelityTest {

    @ParameterizedTest
    @ValueSource(strings = {"pythia_f32", "pythia_sequential_f32", "pythia_bf16", "gemma_f32", "gemma2_f32", "gemma2_bf16",
            "gemma3_f32", "qwen3_f32", "phi3_f32", "opt_f32", "opt_postln_f32"})
    void matchesPyTorch(String fixture) {
        Fixtures.assertMatchesReferenceWithHookQ(fixture, 1e-5);
    }

    /**
     * A hook on the pre-softmax scores sends attention through ND4J's batched path, which applies scale, soft-cap and
     * each layer's window itself: same patterns; the scores are capped and −∞ outside each layer's window.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gemma2_f32", "gemma3_f32", "phi3_f32"})
    void scoreHooksSeeTheSameAttention(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[] ids = Fixtures.inputIds(fixture);
            ModelSpec spec = model.spec();
            var cache = model.transformer().run(new int[][] {ids},
                    Hooks.capturing(name -> name.endsWith("hook_attn_scores") || name.endsWith("hook_pattern"))).cache();
            Npy.FloatArray reference = Fixtures.reference(fixture, "attention.npy");
            int t = ids.length;
            int perLayer = spec.heads() * t * t;
            double cap = spec.variant().scoreSoftcap();
            for (int layer = 0; layer < spec.layers(); layer++) {
                float[] pattern = cache.get(HookNames.pattern(layer)).dup('c').data().asFloat();
                float[] expected = Arrays.copyOfRange(reference.values(), layer * perLayer, (layer + 1) * perLayer);
                assertTrue(Fixtures.maxAbsDiff(expected, pattern) <= 1e-5, fixture + " layer " + layer);
                float[] scores = cache.get(HookNames.attnScores(layer)).dup('c').data().asFloat();
                int window = spec.window(layer);
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        float s = scores[i * t + j]; // head 0
                        boolean visible = j <= i && (window == 0 || i - j < window);
                        assertEquals(visible, s != Float.NEGATIVE_INFINITY, fixture + " layer " + layer + " " + i + "," + j);
                        assertTrue(!visible || cap == 0 || Math.abs(s) <= cap, "soft-capped");
                    }
                }
            }
        }
    }

    @Test
    void specsFollowTheConfigs() {
        ModelSpec pythia = spec("pythia_f32");
        assertTrue(pythia.variant().parallelResidual());
        assertEquals(4, pythia.rope().rotaryDims());
        assertEquals(ModelSpec.Activation.GELU_ERF, pythia.activation());
        assertFalse(spec("pythia_sequential_f32").variant().parallelResidual());

        ModelSpec gemma2 = spec("gemma2_f32");
        assertEquals(List.of(true, false, true), gemma2.variant().slidingLayers(), "Gemma-2: even layers are local");
        assertEquals(4, gemma2.window(0));
        assertEquals(0, gemma2.window(1));
        assertEquals(1 / Math.sqrt(32), gemma2.attentionScale(), 1e-12);
        assertEquals(2.0, gemma2.variant().scoreSoftcap());
        assertEquals(1.0, gemma2.variant().logitSoftcap());
        assertEquals(8.0, gemma2.variant().embedScale());
        assertEquals(ModelSpec.Activation.GELU_TANH_GATED, gemma2.activation());

        ModelSpec gemma3 = spec("gemma3_f32");
        assertEquals(List.of(true, true, false), gemma3.variant().slidingLayers(), "every 3rd layer is global");
        assertEquals(10000, gemma3.rope(0).theta());
        assertNull(gemma3.rope(0).scaling());
        assertEquals(1_000_000, gemma3.rope(2).theta());
        assertEquals(new ModelSpec.RopeScaling("linear", 2, 0, 0, 0), gemma3.rope(2).scaling());

        ModelSpec gemma = spec("gemma_f32");
        assertEquals(0, gemma.window(0));
        assertEquals(1 / Math.sqrt(16), gemma.attentionScale(), 1e-12);

        assertEquals(8, spec("phi3_f32").rope().rotaryDims());
        assertEquals(6, spec("phi3_f32").window(2));
        assertEquals(24, spec("qwen3_f32").dHead());
        assertFalse(spec("opt_f32").postNorm());
        assertTrue(spec("opt_postln_f32").postNorm());
    }

    @Test
    void weightsCarryTheFamiliesExtras() {
        try (LoadedModel opt = ModelLoader.load(Fixtures.model("opt_f32").toString())) {
            assertArrayEquals(new long[] {32, 64}, opt.transformer().weights().projectIn().weight().shape());
            assertArrayEquals(new long[] {32, 64}, opt.transformer().weights().positionEmbed().shape(),
                    "rows 2… of the 34-row table");
        }
        try (LoadedModel gemma3 = ModelLoader.load(Fixtures.model("gemma3_f32").toString())) {
            var layer = gemma3.transformer().weights().layers().get(0);
            assertArrayEquals(new long[] {24}, layer.qNorm().gain().shape());
            assertTrue(layer.postAttnNorm() != null && layer.postMlpNorm() != null);
        }
    }

    private static ModelSpec spec(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            return model.spec();
        }
    }
}
