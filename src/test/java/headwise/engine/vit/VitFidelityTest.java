package headwise.engine.vit;

import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ViT / DeiT against the independent float64 PyTorch forward of make_vit_fixtures.py, from the PNG through
 * preprocessing, patch embedding, the encoder and the head: within 1e-5 for F32 weights, 1e-3 for F16/BF16.
 * The fixture images are already image_size, so resizing is the identity and the pixels must match exactly.
 */
class VitFidelityTest {

    @ParameterizedTest
    @ValueSource(strings = {"vit_f32", "vit_f16", "vit_bf16", "vit_bare_f32", "deit_distilled_f32"})
    void matchesPyTorch(String fixture) {
        double tolerance = fixture.contains("f16") ? 1e-3 : 1e-5;
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromImage(model, ImageFiles.read(Fixtures.model(fixture).resolve("reference/image.png")));
            double pixelError = Fixtures.maxAbsDiff(Fixtures.reference(fixture, "pixels.npy").values(), input.pixels());
            AnalysisResult result = Analyzer.analyze(model, input);

            Npy.FloatArray attention = Fixtures.reference(fixture, "attention.npy");
            assertArrayEquals(attention.shape(), Arrays.stream(result.attention().shape()).asLongStream().toArray());
            double attentionError = Fixtures.maxAbsDiff(attention.values(), result.attention().values());

            Npy.FloatArray output = Fixtures.reference(fixture, "output.npy");
            assertArrayEquals(output.shape(), Arrays.stream(result.output().shape()).asLongStream().toArray());
            double outputError = Fixtures.maxAbsDiff(output.values(), result.output().values());

            System.out.printf("fidelity %-20s pixels max|err| %.2e  attention max|err| %.2e  output max|err| %.2e%n",
                    fixture, pixelError, attentionError, outputError);
            assertEquals(0.0, pixelError, fixture + " pixels");
            assertTrue(attentionError <= tolerance, fixture + " attention error " + attentionError);
            assertTrue(outputError <= tolerance, fixture + " output error " + outputError);
        }
    }

    @Test
    void specsFollowTheConfig() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString());
             LoadedModel bare = ModelLoader.load(Fixtures.model("vit_bare_f32").toString());
             LoadedModel deit = ModelLoader.load(Fixtures.model("deit_distilled_f32").toString())) {
            ModelSpec spec = vit.spec();
            assertEquals(ModelSpec.Output.CLASS_LOGITS, spec.output());
            assertEquals(5, spec.vocabSize());
            assertEquals(17, spec.maxPositions());
            assertFalse(spec.causal());
            assertFalse(spec.postNorm());
            assertEquals(ModelSpec.Activation.GELU_ERF, spec.activation());
            assertEquals(1e-12, spec.normEps());
            assertNull(spec.rope());
            assertEquals(new ModelSpec.Vision(32, 8, 3, false), spec.vision());
            assertEquals(ModelSpec.Output.HIDDEN_STATE, bare.spec().output());
            assertEquals(new ModelSpec.Vision(32, 8, 3, true), deit.spec().vision());
            assertEquals(18, deit.spec().vision().tokens());
        }
    }

    @Test
    void tokensNameClsDistillationAndPatches() {
        try (LoadedModel deit = ModelLoader.load(Fixtures.model("deit_distilled_f32").toString())) {
            ModelInput input = ModelInput.fromImage(deit, ImageFiles.read(Fixtures.model("deit_distilled_f32").resolve("reference/image.png")));
            assertEquals(18, input.length());
            assertEquals("[CLS]", input.tokens()[0]);
            assertEquals("[DIST]", input.tokens()[1]);
            assertEquals("patch(0,0)", input.tokens()[2]);
            assertEquals("patch(0,3)", input.tokens()[5]);
            assertEquals("patch(1,0)", input.tokens()[6]);
            assertEquals("patch(3,3)", input.tokens()[17]);
            assertEquals(17, input.ids()[17]);
            assertNull(input.offsets());
        }
    }

    @Test
    void visionModelsRefuseTextAndIds() {
        try (LoadedModel vit = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            HeadwiseException ids = assertThrows(HeadwiseException.class, () -> ModelInput.fromIds(vit, new int[] {1, 2}));
            assertTrue(ids.getMessage().contains("is a vision model"), ids.getMessage());
            HeadwiseException text = assertThrows(HeadwiseException.class, () -> ModelInput.fromText(vit, "hello"));
            assertTrue(text.getMessage().contains("is a vision model"), text.getMessage());
        }
    }
}
