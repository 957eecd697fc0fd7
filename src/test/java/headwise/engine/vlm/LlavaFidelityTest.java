package headwise.engine.vlm;

import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiny LLaVAs against the independent float64 PyTorch forward of make_llava_fixtures.py, from the PNG through the
 * CLIP / SigLIP preprocessing (PIL bicubic resize, centre crop), the tower, the feature layer(s), the projector, the
 * joined sequence and the decoder: pixels exactly, and the decoder's attention, the tower's attention (every layer)
 * and the logits within 1e-5 (F32 weights). Both key layouts of LlavaForConditionalGeneration load to the same model.
 */
class LlavaFidelityTest {

    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"llava_clip_f32", "llava_clip_newkeys_f32", "llava_clip_full_f32", "llava_siglip_f32", "llava_sinks_f32"})
    void matchesPyTorch(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            assertNotNull(model.visionLanguage(), fixture + " loads as a vision-language model");
            VisionLanguageInput input = Fixtures.visionLanguageInput(model, fixture);
            double pixelError = Fixtures.maxAbsDiff(Fixtures.reference(fixture, "pixels.npy").values(), input.image().pixels());
            VisionLanguageResult result = VisionLanguageAnalyzer.analyze(model, input);

            Fixtures.RunErrors errors = Fixtures.runErrors(fixture, result.decoder());
            Npy.FloatArray vision = Fixtures.reference(fixture, "vision_attention.npy");
            assertArrayEquals(vision.shape(), Arrays.stream(result.visionAttention().shape()).asLongStream().toArray());
            double visionError = Fixtures.maxAbsDiff(vision.values(), result.visionAttention().values());

            System.out.printf("fidelity %-24s pixels %.2e  decoder attention %.2e  vision attention %.2e  logits %.2e%n",
                    fixture, pixelError, errors.attention(), visionError, errors.output());
            assertEquals(0.0, pixelError, fixture + " pixels");
            assertTrue(errors.attention() <= TOLERANCE, fixture + " decoder attention error " + errors.attention());
            assertTrue(visionError <= TOLERANCE, fixture + " vision attention error " + visionError);
            assertTrue(errors.output() <= TOLERANCE, fixture + " logits error " + errors.output());
        }
    }

    @Test
    void tokenClassesPlaceTheImageGrid() {
        try (LoadedModel clip = ModelLoader.load(Fixtures.model("llava_clip_f32").toString());
             LoadedModel full = ModelLoader.load(Fixtures.model("llava_clip_full_f32").toString())) {
            int[] ids = Fixtures.inputIds("llava_clip_f32"); // the image token at position 3 of 7
            var image = ImageFiles.read(Fixtures.model("llava_clip_f32").resolve("reference/image.png"));

            VisionLanguageResult dropped = VisionLanguageAnalyzer.analyze(clip, VisionLanguageInput.fromIds(clip, ids, image));
            TokenClasses classes = dropped.classes();
            assertEquals(6 + 16, classes.length());
            assertEquals(3, classes.imageStart());
            assertEquals(4, classes.gridRows());
            assertEquals(4, classes.gridCols());
            assertEquals(TokenClasses.TokenClass.TEXT, classes.at(2));
            assertEquals(TokenClasses.TokenClass.IMAGE, classes.at(18));
            assertEquals(TokenClasses.TokenClass.TEXT, classes.at(19));
            assertEquals("patch(3,3)", dropped.decoder().input().tokens()[18]);
            assertEquals(clip.visionLanguage().imageTokenId(), dropped.decoder().input().ids()[10]);
            assertEquals(ids[4], dropped.decoder().input().ids()[19]);
            assertEquals(17, dropped.towerGrid().tokens());

            // 'full' keeps the tower's CLS just before the grid: an image token with no place on the grid
            VisionLanguageResult kept = VisionLanguageAnalyzer.analyze(full, VisionLanguageInput.fromIds(full, ids, image));
            assertEquals(6 + 17, kept.classes().length());
            assertEquals(4, kept.classes().imageStart());
            assertEquals(3, kept.classes().imageFirst());
            assertEquals(17, kept.classes().imageCount());
            assertEquals(16, kept.classes().gridCount());
            assertEquals(TokenClasses.TokenClass.IMAGE, kept.classes().at(3));
            assertFalse(kept.classes().onGrid(3));
            assertTrue(kept.classes().onGrid(4));
            assertEquals(TokenClasses.TokenClass.TEXT, kept.classes().at(2));
            assertEquals("[image CLS]", kept.decoder().input().tokens()[3]);
        }
    }

    @Test
    void specsFollowTheConfig() {
        try (LoadedModel clip = ModelLoader.load(Fixtures.model("llava_clip_f32").toString());
             LoadedModel siglip = ModelLoader.load(Fixtures.model("llava_siglip_f32").toString())) {
            ModelSpec tower = clip.visionLanguage().tower().spec();
            assertEquals(ModelSpec.Activation.GELU_QUICK, tower.activation());
            assertEquals(new ModelSpec.Vision(16, 4, 3, false, true), tower.vision());
            assertEquals(1e-5, tower.normEps());
            assertEquals("llama", clip.spec().family());
            ModelSpec siglipTower = siglip.visionLanguage().tower().spec();
            assertEquals(ModelSpec.Activation.GELU_TANH, siglipTower.activation());
            assertEquals(16, siglipTower.vision().tokens());
            assertEquals("qwen2", siglip.spec().family());
            assertEquals(16, siglip.visionLanguage().imagePositions());
        }
    }
}
