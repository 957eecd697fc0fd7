package headwise.engine.analysis.intervene;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rerun from the first changed layer gives what a full run with the same interventions gives. */
class ResumableRunTest {

    private static final double TOLERANCE = 1e-5;

    @Test
    void rerunsFromEarlyMiddleAndLateLayersMatchFullRuns() {
        for (String fixture : new String[] {"gpt2_f32", "llama_f32", "bert_f32"}) {
            try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
                ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
                ResumableRun run = ResumableRun.analyze(model, input);
                assertClose(Analyzer.analyze(model, input), run.original(), fixture + " unchanged");
                int layers = model.spec().layers();
                for (int layer : new int[] {0, layers / 2, layers - 1}) {
                    for (Interventions.Ablation mode : Interventions.Ablation.values()) {
                        Hooks hooks = Interventions.ablateHeads(Hooks.none(), layer, mode, 1);
                        assertEquals(layer, run.startLayer(hooks));
                        assertClose(Analyzer.analyze(model, input, hooks), run.rerun(hooks), fixture + " L" + layer + " " + mode);
                    }
                }
                Hooks two = Interventions.ablateHeads(Interventions.ablateHeads(Hooks.none(), layers - 1, Interventions.Ablation.ZERO, 0),
                        1, Interventions.Ablation.ZERO, 0, 2);
                assertEquals(1, run.startLayer(two), "the lowest layer touched");
                assertClose(Analyzer.analyze(model, input, two), run.rerun(two), fixture + " two layers");
            }
        }
    }

    @Test
    void patternReweightingAndSparseCheckpointsToo() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            int layers = model.spec().layers();
            ResumableRun sparse = ResumableRun.analyze(model, input, 4L * input.length() * model.spec().dModel()); // one layer's worth
            assertEquals(4L * input.length() * model.spec().dModel(), sparse.checkpointBytes(), "only layer 0 is kept");
            Hooks late = Interventions.reweightKeys(Hooks.none(), layers - 1, 0.5, new int[] {0});
            assertEquals(0, sparse.startLayer(late), "no checkpoint above layer 0");
            assertClose(Analyzer.analyze(model, input, late), sparse.rerun(late), "sparse");

            ResumableRun dense = ResumableRun.analyze(model, input);
            assertEquals(layers - 1, dense.startLayer(late));
            AnalysisResult rerun = dense.rerun(late);
            assertClose(Analyzer.analyze(model, input, late), rerun, "re-weighted pattern");
            assertTrue(rerun.attention().get(layers - 1, 0, 3, 0) < dense.original().attention().get(layers - 1, 0, 3, 0),
                    "the first key's weight went down");

            Hooks embedding = Hooks.none().intervene(HookNames.EMBED, x -> x.mul(0.5));
            assertEquals(-1, dense.startLayer(embedding), "an embedding change runs everything");
            assertClose(Analyzer.analyze(model, input, embedding), dense.rerun(embedding), "embedding");
            Hooks output = Hooks.none().intervene(HookNames.LOGITS, x -> x.mul(2));
            assertEquals(layers - 1, dense.startLayer(output));
            assertClose(Analyzer.analyze(model, input, output), dense.rerun(output), "output only");
        }
    }

    @Test
    void strideKeepsTheCheckpointsWithinTheBudget() {
        assertEquals(1, ResumableRun.checkpointStride(12, 3 << 20, 256L << 20));
        assertEquals(2, ResumableRun.checkpointStride(12, 10, 60));
        assertEquals(12, ResumableRun.checkpointStride(12, 10, 1), "layer 0 alone");
        assertEquals(3, ResumableRun.checkpointStride(12, 10, 40));
    }

    private static void assertClose(AnalysisResult expected, AnalysisResult actual, String what) {
        float[] e = expected.output().values();
        float[] a = actual.output().values();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], TOLERANCE * Math.max(1, Math.abs(e[i])), what + " output " + i);
        }
        float[] pe = expected.attention().values();
        float[] pa = actual.attention().values();
        assertEquals(pe.length, pa.length, what);
        for (int i = 0; i < pe.length; i++) {
            assertEquals(pe[i], pa[i], TOLERANCE, what + " attention " + i);
        }
    }
}
