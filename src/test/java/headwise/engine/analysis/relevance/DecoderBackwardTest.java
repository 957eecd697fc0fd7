package headwise.engine.analysis.relevance;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.importance.GatedForward;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Transformer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written decoder backward against the SameDiff graph it replaces, for every rule and two targets on the
 * fixtures it covers: the input gradients, the head gates and (Chefer) the pattern gradients, each within 1e-5 of
 * the largest |value|. RelevanceReferenceTest and RelevanceConservationTest check the same path against PyTorch and
 * conservation (GPT-2 and OPT run it).
 */
class DecoderBackwardTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "gpt2_lmhead_f32", "gpt2_noprefix_f32", "opt_f32"})
    void equalsTheSameDiffPath(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer t = model.transformer();
            assertTrue(DecoderBackward.covers(t.spec(), t.weights()), fixture);
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            for (Integer position : new Integer[] {null, 2}) {
                Relevance.Prepared p = Relevance.prepare(model, input, position, position == null ? null : 5);
                EmbeddingParts parts = EmbeddingParts.of(t, input);
                for (GatedForward.Rules rules : GatedForward.Rules.values()) {
                    boolean patterns = rules == GatedForward.Rules.GRADIENT;
                    GatedForward.Gradients hand = DecoderBackward.gradients(t, input.ids(), p.target(), rules, patterns,
                            parts.parts().size());
                    GatedForward.Gradients graph = Relevance.graph(t, p, parts, rules, patterns).relevanceGradients();
                    String what = fixture + " " + rules + " " + p.target();
                    for (int k = 0; k < parts.parts().size(); k++) {
                        assertClose(graph.parts().get(k), hand.parts().get(k), what + " part " + k);
                    }
                    assertClose(graph.heads(), hand.heads(), what + " heads");
                    if (patterns) {
                        for (int l = 0; l < graph.patterns().length; l++) {
                            assertClose(new double[][] {toDouble(graph.patterns()[l])}, new double[][] {toDouble(hand.patterns()[l])},
                                    what + " patterns " + l);
                        }
                    }
                }
            }
        }
    }

    /** The memory is budgeted before the capturing forward: a million tokens are refused in one line, not run. */
    @Test
    void aMapThatCannotFitIsRefusedBeforeItsForward() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[] ids = new int[1 << 20];
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> DecoderBackward.gradients(model.transformer(), ids,
                    new RelevanceTarget(0, 0), GatedForward.Rules.ATTN_LRP, false, 1));
            assertTrue(e.getMessage().startsWith("a relevance map of 1048576 tokens needs about"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_f32", "bert_f32", "vit_f32", "pythia_f32", "gemma2_f32", "opt_postln_f32"})
    void otherFamiliesKeepTheSameDiffPath(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            assertFalse(DecoderBackward.covers(model.spec(), model.transformer().weights()), fixture);
        }
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static void assertClose(double[][] expected, double[][] actual, String what) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                scale = Math.max(scale, Math.abs(expected[i][j]));
                worst = Math.max(worst, Math.abs(expected[i][j] - actual[i][j]));
            }
        }
        assertTrue(scale > 0, what + ": all zero");
        assertEquals(0, worst / scale, 1e-5, what + ": worst relative difference");
    }
}
