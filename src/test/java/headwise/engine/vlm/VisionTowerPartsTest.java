package headwise.engine.vlm;

import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.image.Resample;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small pieces the towers add: CLIP's and SigLIP's processor defaults, quick GELU, a tower without CLS. */
class VisionTowerPartsTest {

    @TempDir
    Path temp;

    @Test
    void clipProcessorDefaultsResizeTheShortestEdgeAndCrop() {
        Path file = temp.resolve("preprocessor_config.json");
        PreprocessorConfig clip = PreprocessorConfig.parse(file, JsonParser.parseString("{}").getAsJsonObject(),
                PreprocessorConfig.Processor.CLIP);
        assertEquals(new PreprocessorConfig.Size(0, 0, 224), clip.resize());
        assertEquals(Resample.BICUBIC, clip.resample());
        assertEquals(PreprocessorConfig.Size.square(224), clip.crop());
        assertArrayEquals(new double[] {0.48145466, 0.4578275, 0.40821073}, clip.mean());
        assertArrayEquals(new double[] {0.26862954, 0.26130258, 0.27577711}, clip.std());

        // a file naming its processor wins over the family's defaults
        PreprocessorConfig siglip = PreprocessorConfig.parse(file, JsonParser.parseString(
                "{\"image_processor_type\": \"SiglipImageProcessor\"}").getAsJsonObject(), PreprocessorConfig.Processor.VIT);
        assertEquals(PreprocessorConfig.Size.square(224), siglip.resize());
        assertEquals(Resample.BICUBIC, siglip.resample());
        assertNull(siglip.crop());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, siglip.mean());
    }

    @Test
    void withoutAFileAClipTowerIsResizedAndCroppedToItsImageSize() {
        ModelSpec.Vision vision = new ModelSpec.Vision(336, 14, 3, false, true);
        ModelSpec tower = new ModelSpec("clip_vision_model", "CLIPVisionModel", 1, 1, 1, 8, 8, 8, vision.tokens(),
                vision.tokens(), false, ModelSpec.Norm.LAYER_NORM, false, 1e-5, ModelSpec.Activation.GELU_QUICK,
                ModelSpec.Output.HIDDEN_STATE, null, 0, vision);
        PreprocessorConfig config = PreprocessorConfig.read(temp, tower);
        assertEquals(new PreprocessorConfig.Size(0, 0, 336), config.resize());
        assertEquals(PreprocessorConfig.Size.square(336), config.crop());
    }

    @Test
    void paddingToASquareIsRefusedInOneLine() {
        Path file = temp.resolve("preprocessor_config.json");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> PreprocessorConfig.parse(file,
                JsonParser.parseString("{\"image_processor_type\": \"LlavaImageProcessor\", \"do_pad\": true}").getAsJsonObject(),
                PreprocessorConfig.Processor.CLIP));
        assertTrue(e.getMessage().contains("preprocessor_config.json") && e.getMessage().contains("do_pad"), e.getMessage());
    }

    @Test
    void quickGeluIsXTimesSigmoidOf1702X() {
        float[] x = {-6f, -1.5f, -0.25f, 0f, 0.3f, 1f, 4f};
        float[] y = Ops.floats(Ops.geluQuick(Nd4j.create(x, new long[] {1, x.length}, 'c')));
        for (int i = 0; i < x.length; i++) {
            double expected = x[i] / (1 + Math.exp(-1.702 * x[i]));
            assertEquals(expected, y[i], 1e-6, "x = " + x[i]);
        }
    }

    @Test
    void aTowerWithoutClsHasOnlyPatchTokens() {
        ModelSpec.Vision siglip = new ModelSpec.Vision(224, 16, 3, false, false);
        assertEquals(0, siglip.specialTokens());
        assertEquals(196, siglip.tokens());
        assertEquals(197, new ModelSpec.Vision(224, 16, 3, false).tokens(), "ViT's CLS stays the default");
    }
}
