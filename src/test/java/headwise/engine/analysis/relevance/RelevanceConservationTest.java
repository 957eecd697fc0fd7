package headwise.engine.analysis.relevance;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelWeights;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CP-LRP's conservation: with every bias and the position embeddings zero, the forward with the rules' constants
 * held is linear in the token embeddings, so the token relevances sum to the target logit (Euler). Checked on
 * GPT-2 (made bias-free here), on the bias-free Llama-family fixtures as they are and on a LLaVA's joined sequence;
 * plus the one-line errors.
 */
class RelevanceConservationTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "mistral_window_f32", "qwen3_f32", "gemma_f32", "gemma2_f32",
            "gemma3_f32", "phi3_f32", "pythia_f32", "opt_f32"})
    void cpLrpSumsToTheLogitWithoutBiasesAndPositions(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            zeroBiasesAndPositions(model.transformer().weights());
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            Relevance.Prepared prepared = Relevance.prepare(model, input, null, null);
            RelevanceMap cp = Relevance.compute(model, prepared, RelevanceMethod.CP_LRP);
            assertEquals(0, cp.positionShare());
            assertEquals(cp.logit(), cp.sum(), 1e-5 * Math.max(1, Math.abs(cp.logit())), fixture);
            double heads = Stream.of(cp.heads()).flatMapToDouble(java.util.Arrays::stream).sum();
            assertTrue(Double.isFinite(heads));
            // gradient × input does not conserve through the non-linearities
            RelevanceMap plain = Relevance.compute(model, prepared, RelevanceMethod.GRAD_INPUT);
            assertNotEquals(plain.logit(), plain.sum(), 1e-3, fixture);
        }
    }

    /**
     * A LLaVA's joined sequence: the Llama decoder has no biases, so the positions' relevances, the image's included,
     * sum to the logit (the projector's biases are upstream of the joined rows, part of the input).
     */
    @Test
    void cpLrpConservesOnAJoinedSequence() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llava_clip_f32").toString())) {
            ModelInput joined = RelevanceReferenceTest.input(model, "llava_clip_f32");
            RelevanceMap cp = Relevance.compute(model, Relevance.prepare(model, joined, null, null), RelevanceMethod.CP_LRP);
            assertEquals(joined.length(), cp.tokens().length);
            assertEquals(cp.logit(), cp.sum(), 1e-5 * Math.max(1, Math.abs(cp.logit())));
            double image = java.util.Arrays.stream(cp.tokens(), 3, 3 + 16).map(Math::abs).sum();
            assertTrue(image > 1e-3, "the image positions carry relevance: " + image);
        }
    }

    @Test
    void gpt2WithBiasesDoesNotConserveButPositionsGetTheirShare() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            RelevanceMap cp = Relevance.compute(model, Relevance.prepare(model, input, null, null), RelevanceMethod.CP_LRP);
            assertNotEquals(0, cp.positionShare());
            assertNotEquals(cp.logit(), cp.sum() + cp.positionShare(), 1e-3);
        }
    }

    @Test
    void badTargetsAreOneLine() {
        try (LoadedModel gpt2 = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(gpt2, Fixtures.inputIds("gpt2_f32"));
            assertEquals("target id 97 is outside the vocabulary (97 tokens)",
                    assertThrows(HeadwiseException.class, () -> Relevance.prepare(gpt2, input, null, 97)).getMessage());
            assertEquals("position 12 is outside the input (0..11)",
                    assertThrows(HeadwiseException.class, () -> Relevance.prepare(gpt2, input, 12, null)).getMessage());
            assertEquals("position -1 is outside the input (0..11)",
                    assertThrows(HeadwiseException.class, () -> Relevance.prepare(gpt2, input, -1, null)).getMessage());
        }
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            ModelInput input = RelevanceReferenceTest.input(vit, "vit_f32");
            assertEquals("class 5 is outside the classifier's 5 classes",
                    assertThrows(HeadwiseException.class, () -> Relevance.prepare(vit, input, null, 5)).getMessage());
        }
        assertTrue(assertThrows(HeadwiseException.class, () -> RelevanceMethod.parse("lrp")).getMessage()
                .startsWith("unknown relevance method 'lrp': expected one of grad-input, attnlrp"));
    }

    /** Zeroes every bias (linears and norms) and the position embeddings in place. */
    static void zeroBiasesAndPositions(ModelWeights w) {
        zero(w.positionEmbed());
        zero(w.embedNorm());
        zero(w.finalNorm());
        zero(w.unembed());
        zero(w.projectIn());
        zero(w.projectOut());
        for (ModelWeights.LayerWeights l : w.layers()) {
            Stream.of(l.q(), l.k(), l.v(), l.o(), l.mlpIn(), l.mlpGate(), l.mlpOut()).forEach(RelevanceConservationTest::zero);
            Stream.of(l.attnNorm(), l.mlpNorm(), l.qNorm(), l.kNorm(), l.postAttnNorm(), l.postMlpNorm())
                    .forEach(RelevanceConservationTest::zero);
        }
    }

    private static void zero(ModelWeights.Linear linear) {
        if (linear != null) {
            zero(linear.bias());
        }
    }

    private static void zero(ModelWeights.NormWeights norm) {
        if (norm != null) {
            zero(norm.bias());
        }
    }

    private static void zero(INDArray a) {
        if (a != null) {
            a.assign(0);
        }
    }
}
