package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Patterns recomputed from stored queries and keys equal the ones the forward used (and the reference's). */
class RecomputedAttentionTest {

    /** The model storing only queries and keys, its patterns recomputed when read. */
    static LoadedModel recomputing(LoadedModel model) {
        return model.withOptions(ForwardOptions.defaults().withAttentionStorage(ForwardOptions.AttentionStorage.RECOMPUTE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "llama_mqa_tied_f32", "mistral_window_f32", "bert_f32", "qwen2_f32",
            "gemma2_f32", "gemma3_f32"})
    void recomputedPatternsMatchTheStoredOnes(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            AttentionMaps stored = Analyzer.analyze(model, input).attention();
            AnalysisResult recomputed = Analyzer.analyze(recomputing(model), input);
            assertEquals(AttentionMaps.Precision.RECOMPUTE, recomputed.attention().precision());
            float[] values = recomputed.attention().values();
            assertArrayEquals(stored.values(), values, 2e-6f, fixture);
            assertArrayEquals(Fixtures.reference(fixture, "attention.npy").values(), values, 1e-5f, fixture + " vs reference");
            int last = input.length() - 1;
            assertEquals(stored.get(1, 1, last, 0), recomputed.attention().get(1, 1, last, 0), 2e-6f);
        }
    }

    @Test
    void reweightingNeedsStoredPatterns() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            Hooks reweighting = Interventions.reweightKeys(Hooks.none(), 0, 0.5, new int[] {0}, new int[] {0});
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> Analyzer.analyze(recomputing(model), input, reweighting));
            assertTrue(e.getMessage().contains("re-weighting"), e.getMessage());
        }
    }
}
