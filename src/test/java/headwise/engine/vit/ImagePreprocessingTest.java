package headwise.engine.vit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.image.ImageInput;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.image.PilResize;
import headwise.engine.image.PixelImage;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.image.Resample;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resizing against PIL, Hugging Face's preprocessing pipeline, normalisation and patch order. */
class ImagePreprocessingTest {

    private static final Path RESIZE = Fixtures.model("vit_resize");
    private static final ModelSpec.Vision VISION_32 = new ModelSpec.Vision(32, 8, 3, false);

    /** Every filter, down and up, against PIL 9.4's Image.resize: expected bit for bit (tolerance 0 levels). */
    @Test
    void resizeMatchesPil() throws IOException {
        PixelImage source = image(Npy.read(RESIZE.resolve("source.npy")));
        for (JsonElement e : JsonParser.parseString(Files.readString(RESIZE.resolve("cases.json"))).getAsJsonArray()) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            PixelImage ours = PilResize.resize(source, c.get("width").getAsInt(), c.get("height").getAsInt(),
                    Resample.ofPilCode(c.get("resample").getAsInt()));
            float[] pil = Npy.read(RESIZE.resolve(name + ".npy")).values();
            float[] mine = floats(ours);
            int differing = 0;
            for (int i = 0; i < pil.length; i++) {
                differing += pil[i] != mine[i] ? 1 : 0;
            }
            double error = Fixtures.maxAbsDiff(pil, mine);
            System.out.printf("resize vs PIL %-16s max|err| %.0f levels, %d of %d samples differ%n", name, error, differing, pil.length);
            assertEquals(0.0, error, name);
        }
    }

    /** Resize (bilinear or bicubic), center crop, rescale, normalise, channels first, as ViT/DeiT processors do. */
    @Test
    void pipelineMatchesHuggingFace() {
        PixelImage source = image(Npy.read(RESIZE.resolve("source.npy")));
        for (String name : new String[] {"vit", "deit"}) {
            Path file = RESIZE.resolve("preprocessor_" + name + ".json");
            PreprocessorConfig config = PreprocessorConfig.parse(file, Json.readObject(file), false);
            float[] ours = ImagePreprocessor.preprocess(source, config, VISION_32);
            double error = Fixtures.maxAbsDiff(Npy.read(RESIZE.resolve("pipeline_" + name + ".npy")).values(), ours);
            System.out.printf("preprocessing %-5s max|err| %.2e%n", name, error);
            assertEquals(0.0, error, name);
        }
    }

    @Test
    void normalisesPerChannelChannelsFirst() {
        // 2x2 RGB image; channel c of pixel (x, y) = 10·c + 2·y + x
        byte[] samples = new byte[12];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                for (int c = 0; c < 3; c++) {
                    samples[(y * 2 + x) * 3 + c] = (byte) (10 * c + 2 * y + x);
                }
            }
        }
        PixelImage image = new PixelImage("t.png", 2, 2, 3, samples);
        PreprocessorConfig config = new PreprocessorConfig(null, Resample.BILINEAR, null, 0.5,
                new double[] {1, 2, 3}, new double[] {1, 2, 4});
        float[] out = ImagePreprocessor.preprocess(image, config, new ModelSpec.Vision(2, 1, 3, false));
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    float expected = (float) ((0.5 * (10 * c + 2 * y + x) - (c + 1)) / new double[] {1, 2, 4}[c]);
                    assertEquals(expected, out[(c * 2 + y) * 2 + x], "c" + c + " y" + y + " x" + x);
                }
            }
        }
    }

    @Test
    void patchesAreRowMajorEachInChannelYxOrder() {
        ModelSpec.Vision vision = new ModelSpec.Vision(4, 2, 2, false);
        float[] pixels = new float[2 * 4 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i; // value = (c·4 + y)·4 + x
        }
        float[] patches = PatchEmbedding.patches(vision, pixels);
        // patch 1 = grid row 0, column 1: x 2..3, y 0..1; channel 0 then channel 1
        float[] second = java.util.Arrays.copyOfRange(patches, 8, 16);
        assertArrayEquals(new float[] {2, 3, 6, 7, 18, 19, 22, 23}, second);
        // patch 2 = grid row 1, column 0
        assertEquals(8f, patches[16]);
    }

    @Test
    void greyBecomesRgbButRgbDoesNotBecomeGrey() {
        PixelImage grey = new PixelImage("g.png", 1, 1, 1, new byte[] {(byte) 200});
        assertArrayEquals(new byte[] {(byte) 200, (byte) 200, (byte) 200}, grey.toRgb().samples());
        PixelImage rgb = new PixelImage("c.png", 1, 1, 3, new byte[3]);
        PreprocessorConfig none = new PreprocessorConfig(null, Resample.BILINEAR, null, 1, null, null);
        HeadwiseException e = assertThrows(HeadwiseException.class,
                () -> ImagePreprocessor.preprocess(rgb, none, new ModelSpec.Vision(1, 1, 1, false)));
        assertTrue(e.getMessage().startsWith("c.png: the image has 3 channels (RGB), but the model takes 1"), e.getMessage());
    }

    @Test
    void centerCropRoundsDownLikeHuggingFace() {
        byte[] samples = new byte[5 * 4];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (byte) i; // 5 wide, 4 high, grey
        }
        PixelImage image = new PixelImage("g.png", 5, 4, 1, samples);
        PreprocessorConfig crop = new PreprocessorConfig(null, Resample.BILINEAR, new PreprocessorConfig.Size(2, 2, 0), 1, null, null);
        float[] out = ImagePreprocessor.preprocess(image, crop, new ModelSpec.Vision(2, 1, 1, false));
        // top = (4 − 2) / 2 = 1, left = (5 − 2) / 2 = 1
        assertArrayEquals(new float[] {6, 7, 11, 12}, out);
    }

    @Test
    void wrongFinalSizeNamesTheFile() {
        PixelImage image = new PixelImage("small.png", 3, 3, 3, new byte[27]);
        PreprocessorConfig none = new PreprocessorConfig(null, Resample.BILINEAR, null, 1, null, null);
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImagePreprocessor.preprocess(image, none, VISION_32));
        assertTrue(e.getMessage().startsWith("small.png: the image is 3x3 after preprocessing, but the model takes 32x32"), e.getMessage());
    }

    @Test
    void configFormsAndDefaults() {
        Path file = Path.of("preprocessor_config.json");
        PreprocessorConfig old = PreprocessorConfig.parse(file, JsonParser.parseString(
                "{\"feature_extractor_type\": \"ViTFeatureExtractor\", \"size\": 224, \"do_normalize\": false}").getAsJsonObject(), false);
        assertEquals(PreprocessorConfig.Size.square(224), old.resize());
        assertEquals(Resample.BILINEAR, old.resample());
        assertNull(old.mean());
        assertEquals(1 / 255.0, old.rescale());

        PreprocessorConfig deit = PreprocessorConfig.parse(file, JsonParser.parseString("{}").getAsJsonObject(), true);
        assertEquals(PreprocessorConfig.Size.square(256), deit.resize());
        assertEquals(PreprocessorConfig.Size.square(224), deit.crop());
        assertEquals(Resample.BICUBIC, deit.resample());
        assertEquals(0.485, deit.mean()[0]);

        PreprocessorConfig shortest = PreprocessorConfig.parse(file, JsonParser.parseString(
                "{\"size\": {\"shortest_edge\": 32}, \"do_rescale\": false, \"image_mean\": 0.5}").getAsJsonObject(), false);
        assertEquals(new PreprocessorConfig.Size(0, 0, 32), shortest.resize());
        assertEquals(1.0, shortest.rescale());
        assertArrayEquals(new double[] {0.5}, shortest.mean());

        HeadwiseException bad = assertThrows(HeadwiseException.class, () -> PreprocessorConfig.parse(file,
                JsonParser.parseString("{\"resample\": 9}").getAsJsonObject(), false));
        assertTrue(bad.getMessage().startsWith("preprocessor_config.json: \"resample\" 9"), bad.getMessage());
    }

    @Test
    void shortestEdgeKeepsTheAspectRatio() {
        PixelImage wide = new PixelImage("w.png", 64, 32, 3, new byte[64 * 32 * 3]);
        PreprocessorConfig config = new PreprocessorConfig(new PreprocessorConfig.Size(0, 0, 16), Resample.BILINEAR,
                new PreprocessorConfig.Size(16, 16, 0), 1, null, null);
        assertEquals(3 * 16 * 16, ImagePreprocessor.preprocess(wide, config, new ModelSpec.Vision(16, 8, 3, false)).length);
    }

    /** --keep-image-size skips resize and crop; the grid is the image's own. */
    @Test
    void keepImageSizeSkipsResizeAndCrop() {
        PixelImage image = new PixelImage("k.png", 24, 16, 3, new byte[24 * 16 * 3]);
        PreprocessorConfig resizeAndCrop = new PreprocessorConfig(PreprocessorConfig.Size.square(36), Resample.BICUBIC,
                PreprocessorConfig.Size.square(32), 1 / 255.0, null, null);
        ImageInput kept = ImagePreprocessor.prepare(image, resizeAndCrop, VISION_32, true);
        assertEquals(new PatchGrid(2, 3, 8, 1), kept.grid());
        assertEquals(3 * 24 * 16, kept.pixels().length);
        assertEquals(24, kept.seen().width());
        ImageInput resized = ImagePreprocessor.prepare(image, resizeAndCrop, VISION_32, false);
        assertEquals(PatchGrid.trained(VISION_32), resized.grid());
        assertArrayEquals(new int[] {24, 16}, ImagePreprocessor.outputSize(resizeAndCrop, true, 24, 16));
        assertArrayEquals(new int[] {32, 32}, ImagePreprocessor.outputSize(resizeAndCrop, false, 24, 16));
        assertEquals(36, ImagePreprocessor.resizeSide(resizeAndCrop));
        assertTrue(ImagePreprocessor.keepsOwnSize(resizeAndCrop, true));
        assertFalse(ImagePreprocessor.keepsOwnSize(resizeAndCrop, false));
    }

    /** do_resize false with a center crop: the crop still applies, and its size sets the grid. */
    @Test
    void noResizeButCropGivesTheCropsGrid() {
        byte[] samples = new byte[40 * 30];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (byte) i;
        }
        PixelImage grey = new PixelImage("g.png", 40, 30, 1, samples);
        PreprocessorConfig cropOnly = new PreprocessorConfig(null, Resample.BILINEAR, new PreprocessorConfig.Size(16, 24, 0),
                1, null, null);
        assertTrue(ImagePreprocessor.keepsOwnSize(cropOnly, false));
        assertEquals(0, ImagePreprocessor.resizeSide(cropOnly));
        assertArrayEquals(new int[] {24, 16}, ImagePreprocessor.outputSize(cropOnly, false, 40, 30));
        ImageInput input = ImagePreprocessor.prepare(grey, cropOnly, new ModelSpec.Vision(32, 8, 1, false), false);
        assertEquals(new PatchGrid(2, 3, 8, 1), input.grid());
        // top = (30 − 16) / 2 = 7, left = (40 − 24) / 2 = 8
        assertEquals((float) ((7 * 40 + 8) & 0xFF), input.pixels()[0]);
    }

    @Test
    void patchesOfANonSquareGrid() {
        // 1 channel, 2 rows x 3 cols of 2-pixel patches: a 6 wide, 4 high image, value = y·6 + x
        float[] pixels = new float[24];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i;
        }
        float[] patches = PatchEmbedding.patches(new PatchGrid(2, 3, 2, 1), 1, pixels);
        assertArrayEquals(new float[] {0, 1, 6, 7}, java.util.Arrays.copyOfRange(patches, 0, 4));
        assertArrayEquals(new float[] {4, 5, 10, 11}, java.util.Arrays.copyOfRange(patches, 8, 12), "row 0, col 2");
        assertArrayEquals(new float[] {12, 13, 18, 19}, java.util.Arrays.copyOfRange(patches, 12, 16), "row 1, col 0");
        assertEquals(4, new PatchGrid(2, 3, 2, 1).token(1, 0));
    }

    /** [H, W, 3] values 0..255 as an RGB image. */
    private static PixelImage image(Npy.FloatArray hwc) {
        byte[] samples = new byte[hwc.values().length];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (byte) hwc.values()[i];
        }
        return new PixelImage("source.png", (int) hwc.shape()[1], (int) hwc.shape()[0], 3, samples);
    }

    private static float[] floats(PixelImage image) {
        float[] out = new float[image.samples().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.samples()[i] & 0xFF;
        }
        return out;
    }
}
