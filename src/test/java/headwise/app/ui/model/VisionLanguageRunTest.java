package headwise.app.ui.model;

import headwise.app.io.ImageFiles;
import headwise.app.session.SessionState;
import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.JoinedInput;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.VisionLanguageModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window's input for a LLaVA: the session's text and image joined into one sequence that the ordinary analysis
 * (and its interventions) runs like text, the image token put in front of text that lacks it, an example image
 * when none is chosen.
 */
class VisionLanguageRunTest {

    private static final String FIXTURE = "llava_clip_f32";

    @Test
    void theSessionsTextAndImageRunAsOneSequence() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(FIXTURE).toString())) {
            String image = Fixtures.model(FIXTURE).resolve("reference/image.png").toString();
            ModelInput input = AnalysisRun.input(model, SessionState.defaults().withImage(image), "hello <image> world");
            assertNotNull(input.embeddings(), "the joined embeddings travel with the input");
            int imageId = model.visionLanguage().imageTokenId();
            assertEquals(16, Arrays.stream(input.ids()).filter(id -> id == imageId).count());

            // the ordinary analysis, with a head ablated, on the joined input is the decoder run on the joined embeddings
            Hooks ablate = Interventions.ablateHeads(Hooks.none(), 1, Interventions.Ablation.ZERO, 2);
            AnalysisResult viaApp = Analyzer.analyze(model, input, ablate);
            VisionLanguageModel vlm = model.visionLanguage();
            VisionLanguageInput direct = VisionLanguageInput.fromText(model, "hello <image> world", ImageFiles.read(
                    Fixtures.model(FIXTURE).resolve("reference/image.png")));
            JoinedInput joined = vlm.join(direct.text().ids(), vlm.imageFeatures(direct.image(), Hooks.none()), "test");
            float[] expected = Ops.floats(vlm.decoder().runFromEmbeddings(joined.embedded(),
                    Interventions.ablateHeads(Hooks.none(), 1, Interventions.Ablation.ZERO, 2)).output());
            assertArrayEquals(expected, viaApp.output().values(), 1e-6f);
            float[] plain = Analyzer.analyze(model, input).output().values();
            assertTrue(Fixtures.maxAbsDiff(plain, viaApp.output().values()) > 1e-4, "the ablation changes the logits");
        }
    }

    @Test
    void textWithoutTheImageTokenGetsItInFrontAndAnExampleImage() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(FIXTURE).toString())) {
            ModelInput input = AnalysisRun.input(model, SessionState.defaults(), "hello world");
            int imageId = model.visionLanguage().imageTokenId();
            int first = Arrays.stream(input.ids()).boxed().toList().indexOf(imageId);
            assertTrue(first >= 0 && first <= 1, "the image comes first (after BOS): " + first);
            assertTrue(VisionLanguageRun.exampleImage(model).isPresent(), "the ViT sample's example image");
            assertEquals("patch(0,0)", input.tokens()[first]);
        }
    }
    @Test
    void thePreparedImageIsKeptForTheSameFileAndMadeAgainWhenTheFileOrModelChanges(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.copy(Fixtures.model(FIXTURE).resolve("reference/image.png"), dir.resolve("image.png"));
        SessionState s = SessionState.defaults().withImage(file.toString());
        try (LoadedModel model = ModelLoader.load(Fixtures.model(FIXTURE).toString())) {
            var first = VisionLanguageRun.prepared(model, s);
            assertTrue(first == VisionLanguageRun.prepared(model, s), "the same file and model: kept");
            var vlm = model.visionLanguage();
            var fresh = headwise.engine.image.ImagePreprocessor.prepare(VisionLanguageRun.image(model, s), vlm.preprocessor(),
                    vlm.tower().spec().vision(), false);
            assertArrayEquals(fresh.pixels(), first.pixels(), "what preparing the file gives");

            java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                    java.nio.file.Files.getLastModifiedTime(file).toMillis() + 5_000));
            assertTrue(first != VisionLanguageRun.prepared(model, s), "the file changed: prepared again");
            try (LoadedModel again = ModelLoader.load(Fixtures.model(FIXTURE).toString())) {
                var forAgain = VisionLanguageRun.prepared(again, s);
                assertTrue(forAgain != VisionLanguageRun.prepared(model, s), "another model: prepared for it");
            }
        }
    }
}
