package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An input whose whole [heads, T, T] scores pass maxWholeScores, analysed with its maps stored, is captured from
 * whole patterns (the limit raised for that run) instead of being refused on the query-block path: the same maps
 * and outputs as the usual run (a 22-layer, 32-head model at 2048 tokens was refused before).
 */
class LongInputCaptureTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama_f32", "gpt2_f32"})
    void storedMapsOfAnInputPastTheWholeScoreLimitMatchTheUsualRun(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            AnalysisResult usual = Analyzer.analyze(model, input);
            LoadedModel limited = model.withOptions(ForwardOptions.defaults().withMaxWholeScores(model.spec().heads()));
            AnalysisResult captured = Analyzer.analyze(limited, input);
            assertEquals(AttentionMaps.Precision.F32, captured.attention().precision());
            for (int layer = 0; layer < model.spec().layers(); layer++) {
                for (int head = 0; head < model.spec().heads(); head++) {
                    assertArrayEquals(usual.attention().head(layer, head), captured.attention().head(layer, head), 1e-6f,
                            fixture + " layer " + layer + " head " + head);
                }
            }
            assertArrayEquals(usual.output().values(), captured.output().values(), 1e-5f, fixture);
        }
    }
}
