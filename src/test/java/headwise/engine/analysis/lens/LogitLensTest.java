package headwise.engine.analysis.lens;

import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logit lens read at the last layer is the model's own output; models without an unembedding are refused. */
class LogitLensTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "llama_mqa_tied_f32", "gpt2_lmhead_f32", "gemma2_f32", "opt_f32", "pythia_f32"})
    void lastLayerIsTheModelsOwnDistribution(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            AnalysisResult run = Analyzer.analyze(model, input);
            LogitLens lens = LogitLens.compute(model, input, 3);
            int last = lens.rows() - 1;
            int vocab = run.output().cols();
            double maxError = 0;
            for (int t = 0; t < input.length(); t++) {
                // the model's own log-softmax, from output.npy's logits
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, run.output().get(t, v));
                }
                double z = 0;
                for (int v = 0; v < vocab; v++) {
                    z += Math.exp(run.output().get(t, v) - max);
                }
                int argmax = 0;
                for (int v = 0; v < vocab; v++) {
                    if (run.output().get(t, v) > run.output().get(t, argmax)) {
                        argmax = v;
                    }
                }
                assertEquals(argmax, lens.finalTop()[t]);
                assertEquals(argmax, lens.topIds()[last][t][0]);
                double p = Math.exp(run.output().get(t, argmax) - max) / z;
                maxError = Math.max(maxError, Math.abs(p - lens.finalTopProb()[last][t]));
                maxError = Math.max(maxError, Math.abs(p - lens.topProbs()[last][t][0]));
                assertEquals(1, lens.finalTopRank()[last][t]);
                assertEquals(0, lens.kl()[last][t], 0, "KL(p^L ‖ p^L)");
            }
            assertTrue(maxError <= 1e-6, fixture + " lens vs model output " + maxError);
            assertEquals(0, lens.meanKl()[last], 0);
            for (int l = 0; l < last; l++) {
                assertTrue(lens.meanKl()[l] > 0, "earlier layers differ from the output, layer " + l);
            }
        }
    }

    @Test
    void refusesModelsWithoutAnUnembedding() {
        try (LoadedModel bert = ModelLoader.load(Fixtures.model("bert_f32").toString())) {
            ModelInput input = ModelInput.fromIds(bert, Fixtures.inputIds("bert_f32"));
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> LogitLens.compute(bert, input, 5));
            assertTrue(e.getMessage().contains("logit lens") && e.getMessage().contains("encoder"), e.getMessage());
        }
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            ModelInput input = ModelInput.fromImage(vit, ImageFiles.read(Fixtures.model("vit_f32").resolve("reference/image.png")));
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> LogitLens.compute(vit, input, 5));
            assertTrue(e.getMessage().contains("classifier"), e.getMessage());
        }
    }

    @Test
    void topKeepsTheLargestInOrder() {
        float[] row = {9, 0.1f, 3, -2, 3, 7, 0.5f, 6};
        assertArrayEquals(new int[] {4, 6, 1, 3}, LogitLens.top(row, 1, 7, 4), "ties keep the lower index first");
        assertArrayEquals(new int[] {4}, LogitLens.top(row, 1, 7, 1));
        assertArrayEquals(new int[] {4, 6, 1, 3, 5, 0, 2}, LogitLens.top(row, 1, 7, 7));
    }

    /** The capped lens (metrics.json reads only the last positions) is exactly those positions of the whole lens. */
    @Test
    void cappedLensIsTheLastPositionsOfTheWholeLens() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            LogitLens whole = LogitLens.compute(model, input, 3);
            LogitLens.Collector c = LogitLens.collector(model.spec(), model.transformer().weights(), input.length(), 3, 4);
            headwise.engine.analysis.flow.LayerTap.run(model, input, LogitLens.Collector.PARTS, java.util.List.of(c));
            LogitLens capped = c.result();
            int first = input.length() - 4;
            assertEquals(first, capped.first());
            assertEquals(4, capped.tokens());
            for (int l = 0; l < whole.rows(); l++) {
                for (int t = 0; t < 4; t++) {
                    assertArrayEquals(whole.topIds()[l][first + t], capped.topIds()[l][t]);
                    // float32 GEMMs over 4 rows and over all rows round differently (about 1e-8 here)
                    assertEquals(whole.kl()[l][first + t], capped.kl()[l][t], 1e-6);
                    assertEquals(whole.finalTopRank()[l][first + t], capped.finalTopRank()[l][t]);
                }
            }
            assertThrows(HeadwiseException.class, () -> LogitLens.collector(model.spec(), model.transformer().weights(), 5, 3, 0));
        }
    }
}
