package headwise.engine.analysis.relevance;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baselines a model offers (its tokenizer's mask/pad/unk tokens, id 0; patches for images) and their parsing. */
class FaithfulnessBaselineTest {

    @Test
    void theTokenizersSpecialTokensAreOfferedMaskFirst(@TempDir Path dir) throws IOException {
        Path bert = Fixtures.model("bert_f32");
        Files.copy(bert.resolve("config.json"), dir.resolve("config.json"));
        Files.createSymbolicLink(dir.resolve("model.safetensors"), bert.resolve("model.safetensors").toAbsolutePath());
        Files.writeString(dir.resolve("tokenizer.json"), "{\"added_tokens\": [{\"id\": 1, \"content\": \"<unk>\"},"
                + " {\"id\": 4, \"content\": \"[MASK]\"}, {\"id\": 99999999, \"content\": \"[PAD]\"}]}");
        try (LoadedModel model = ModelLoader.load(dir.toString())) {
            List<FaithfulnessBaseline> offered = FaithfulnessBaseline.choices(model, false);
            assertEquals(List.of(new FaithfulnessBaseline("mask", 4), new FaithfulnessBaseline("unk", 1), FaithfulnessBaseline.token(0)),
                    offered, "a pad id outside the vocabulary is not offered");
            assertEquals(offered.get(0), FaithfulnessBaseline.parse(null, model, false));
            assertEquals(new FaithfulnessBaseline("unk", 1), FaithfulnessBaseline.parse("UNK", model, false));
            assertEquals(FaithfulnessBaseline.token(5), FaithfulnessBaseline.parse("5", model, false));
            assertEquals("mask (id 4)", offered.get(0).label());
            assertTrue(assertThrows(HeadwiseException.class, () -> FaithfulnessBaseline.parse("pad", model, false))
                    .getMessage().contains("not offered"));
            assertTrue(assertThrows(HeadwiseException.class, () -> FaithfulnessBaseline.parse("99999999", model, false))
                    .getMessage().contains("outside the vocabulary"));
            assertThrows(HeadwiseException.class, () -> FaithfulnessBaseline.parse("zero", model, false));
        }
    }

    @Test
    void withoutATokenizerIdZeroAndForImagesThePatches() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            assertEquals(List.of(FaithfulnessBaseline.token(0)), FaithfulnessBaseline.choices(model, false));
            assertEquals(List.of(FaithfulnessBaseline.ZERO_PATCH, FaithfulnessBaseline.MEAN_PATCH), FaithfulnessBaseline.choices(model, true));
            assertEquals(FaithfulnessBaseline.MEAN_PATCH, FaithfulnessBaseline.parse("mean", model, true));
            assertThrows(HeadwiseException.class, () -> FaithfulnessBaseline.parse("3", model, true));
        }
    }
}
