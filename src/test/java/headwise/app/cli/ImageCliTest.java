package headwise.app.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.app.io.TestPngs;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze --image}: the contract files for ViT/DeiT (tokens.json with the patch grid), keeping the image's
 * size with interpolated positions, grey / 16-bit / huge images, and one-line errors for bad images and wrong inputs.
 */
class ImageCliTest {

    @TempDir
    Path temp;

    @Test
    void writesTheContractFilesForAClassifier() throws IOException {
        Path out = temp.resolve("out");
        CliTestSupport.Run run = analyze("deit_distilled_f32", "--image", image("deit_distilled_f32").toString());
        assertEquals(0, run.exitCode(), run.err());

        Npy.FloatArray attention = Npy.read(out.resolve("attention.npy"));
        assertArrayEquals(new long[] {3, 4, 18, 18}, attention.shape());
        assertArrayEquals(Fixtures.reference("deit_distilled_f32", "attention.npy").values(), attention.values(), 1e-5f);
        Npy.FloatArray output = Npy.read(out.resolve("output.npy"));
        assertArrayEquals(new long[] {1, 5}, output.shape());
        assertArrayEquals(Fixtures.reference("deit_distilled_f32", "output.npy").values(), output.values(), 1e-5f);

        JsonObject tokens = JsonParser.parseString(Files.readString(out.resolve("tokens.json"))).getAsJsonObject();
        assertEquals(18, tokens.getAsJsonArray("ids").size());
        assertEquals("[CLS]", tokens.getAsJsonArray("tokens").get(0).getAsString());
        assertEquals("[DIST]", tokens.getAsJsonArray("tokens").get(1).getAsString());
        assertEquals("patch(0,0)", tokens.getAsJsonArray("tokens").get(2).getAsString());
        assertFalse(tokens.has("offsets"), "offsets are only for text input");
        JsonObject grid = tokens.getAsJsonObject("grid");
        assertEquals(4, grid.get("rows").getAsInt());
        assertEquals(4, grid.get("cols").getAsInt());
        assertEquals(8, grid.get("patch_size").getAsInt());
        assertEquals(2, grid.get("special_tokens").getAsInt(), "CLS and DIST");
        assertEquals(List.of("ids", "tokens", "grid"), List.copyOf(tokens.keySet()));
    }

    /** tokens.json for text has no grid. */
    @Test
    void textTokensHaveNoGrid() throws IOException {
        CliTestSupport.Run run = analyze("gpt2_f32", "--ids", "1,2,3");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject tokens = JsonParser.parseString(Files.readString(temp.resolve("out").resolve("tokens.json"))).getAsJsonObject();
        assertFalse(tokens.has("grid"));
    }

    /** --keep-image-size: the 48x40 image keeps its size, a 5x6 grid with interpolated positions (vit_interp_f32's reference). */
    @Test
    void keepImageSizeInterpolatesThePositions() throws IOException {
        CliTestSupport.Run run = analyze("vit_f32", "--image", image("vit_interp_f32").toString(), "--keep-image-size");
        assertEquals(0, run.exitCode(), run.err());
        Path out = temp.resolve("out");
        Npy.FloatArray attention = Npy.read(out.resolve("attention.npy"));
        assertArrayEquals(new long[] {3, 4, 31, 31}, attention.shape());
        assertArrayEquals(Fixtures.reference("vit_interp_f32", "attention.npy").values(), attention.values(), 1e-5f);
        assertArrayEquals(Fixtures.reference("vit_interp_f32", "output.npy").values(),
                Npy.read(out.resolve("output.npy")).values(), 1e-5f);
        JsonObject tokens = JsonParser.parseString(Files.readString(out.resolve("tokens.json"))).getAsJsonObject();
        JsonObject grid = tokens.getAsJsonObject("grid");
        assertEquals(5, grid.get("rows").getAsInt());
        assertEquals(6, grid.get("cols").getAsInt());
        assertEquals(8, grid.get("patch_size").getAsInt());
        assertEquals(1, grid.get("special_tokens").getAsInt());
        assertEquals("patch(4,5)", tokens.getAsJsonArray("tokens").get(30).getAsString());
        assertEquals(31, tokens.getAsJsonArray("ids").size());
    }

    /** The same, asked for by preprocessor_config.json (do_resize false), with no option. */
    @Test
    void doResizeFalseKeepsTheSize() {
        CliTestSupport.Run run = analyze("vit_interp_f32", "--image", image("vit_interp_f32").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertArrayEquals(Fixtures.reference("vit_interp_f32", "output.npy").values(),
                Npy.read(temp.resolve("out").resolve("output.npy")).values(), 1e-5f);
    }

    @Test
    void keepImageSizeNeedsWholePatches() {
        Path odd = Fixtures.model("vit_resize").resolve("source.png");
        assertOneLineError(analyze("vit_f32", "--image", odd.toString(), "--keep-image-size"), "source.png",
                "is 45x37, but to keep its own size both sides must be multiples of the patch size 8 (e.g. 40x32)");
    }

    @Test
    void keepImageSizeIsOnlyForImages() {
        assertOneLineError(analyze("gpt2_f32", "--ids", "1,2", "--keep-image-size"), "--keep-image-size", "applies only to --image");
    }

    /** A huge image kept at its own size is refused from its header (12000x12000 in 8-pixel patches: 2.25M patches). */
    @Test
    void keepImageSizeRefusesHugeImagesBeforeDecoding() throws IOException {
        Path big = temp.resolve("big.png");
        TestPngs.writeHeaderOnly(big, 12000, 12000);
        assertOneLineError(analyze("vit_f32", "--image", big.toString(), "--keep-image-size"), "big.png",
                "kept at its own size, the 12000x12000 image makes 2250000 patches, more than 1000000");
        Path wide = temp.resolve("wide.png");
        TestPngs.writeHeaderOnly(wide, 4000, 800); // 50000 patches: the attention alone would be hundreds of GB
        assertOneLineError(analyze("vit_f32", "--image", wide.toString(), "--keep-image-size"), "wide.png",
                "kept at its own size, the 4000x800 image makes 50001 tokens: input of 50001 tokens needs about");
    }

    /** A grey PNG runs as RGB with R = G = B (PIL's convert("RGB")): the same result as that RGB image. */
    @Test
    void greyPngRunsLikeItsRgbCopy() throws IOException {
        Path grey = temp.resolve("grey.png");
        Path rgb = temp.resolve("rgb.png");
        TestPngs.write(grey, 32, 32, 8, TestPngs.GREY, y -> row(32, 1, y));
        TestPngs.write(rgb, 32, 32, 8, TestPngs.RGB, y -> row(32, 3, y));
        assertEquals(0, analyze("vit_f32", "--image", grey.toString()).exitCode());
        float[] fromGrey = Npy.read(temp.resolve("out").resolve("output.npy")).values();
        assertEquals(0, analyze("vit_f32", "--image", rgb.toString()).exitCode());
        assertArrayEquals(Npy.read(temp.resolve("out").resolve("output.npy")).values(), fromGrey);
    }

    /** A 16-bit PNG loads; its samples keep their high byte, so it runs like the 8-bit image of those bytes. */
    @Test
    void sixteenBitPngRunsLikeItsHighBytes() throws IOException {
        Path deep = temp.resolve("deep.png");
        Path eight = temp.resolve("eight.png");
        TestPngs.write(deep, 32, 32, 16, TestPngs.RGB, y -> {
            byte[] high = row(32, 3, y);
            byte[] out = new byte[high.length * 2];
            for (int i = 0; i < high.length; i++) {
                out[2 * i] = high[i];
                out[2 * i + 1] = (byte) (37 * i + y); // low byte: ignored
            }
            return out;
        });
        TestPngs.write(eight, 32, 32, 8, TestPngs.RGB, y -> row(32, 3, y));
        CliTestSupport.Run run = analyze("vit_f32", "--image", deep.toString());
        assertEquals(0, run.exitCode(), run.err());
        float[] fromDeep = Npy.read(temp.resolve("out").resolve("output.npy")).values();
        assertEquals(0, analyze("vit_f32", "--image", eight.toString()).exitCode());
        assertArrayEquals(Npy.read(temp.resolve("out").resolve("output.npy")).values(), fromDeep);
    }

    /** A 12000x12000 PNG is decoded subsampled (every 11th pixel: 1091x1091, the 1024-pixel floor) and then resized. */
    @Test
    void hugeImageRuns() throws IOException {
        Path huge = temp.resolve("huge.png");
        TestPngs.writeSolid(huge, 12000, 12000, 40, 160, 220);
        Path small = temp.resolve("small.png");
        TestPngs.writeSolid(small, 32, 32, 40, 160, 220);
        long start = System.nanoTime();
        CliTestSupport.Run run = analyze("vit_f32", "--image", huge.toString());
        System.out.printf("analyze 12000x12000 PNG: %.2f s%n", (System.nanoTime() - start) / 1e9);
        assertEquals(0, run.exitCode(), run.err());
        float[] fromHuge = Npy.read(temp.resolve("out").resolve("output.npy")).values();
        assertEquals(0, analyze("vit_f32", "--image", small.toString()).exitCode());
        assertArrayEquals(Npy.read(temp.resolve("out").resolve("output.npy")).values(), fromHuge, "one colour at any size");
    }

    @Test
    void absurdHeaderIsRefused() throws IOException {
        Path bomb = temp.resolve("bomb.png");
        TestPngs.writeHeaderOnly(bomb, 60_000, 60_000);
        assertOneLineError(analyze("vit_f32", "--image", bomb.toString()), "bomb.png",
                "image header declares 60000x60000 (3600 megapixels), more than the 1000 megapixels");
    }

    @Test
    void textFileNamedPng() throws IOException {
        Path text = Files.writeString(temp.resolve("readme.png"), "# not a picture\n");
        assertOneLineError(analyze("vit_f32", "--image", text.toString()), "readme.png", "not an image this program can read");
    }

    @Test
    void bareEncoderWritesTheLastHiddenState() {
        CliTestSupport.Run run = analyze("vit_bare_f32", "--image", image("vit_bare_f32").toString());
        assertEquals(0, run.exitCode(), run.err());
        Npy.FloatArray output = Npy.read(temp.resolve("out").resolve("output.npy"));
        assertArrayEquals(new long[] {17, 64}, output.shape());
        assertArrayEquals(Fixtures.reference("vit_bare_f32", "output.npy").values(), output.values(), 1e-5f);
    }

    @Test
    void corruptImage() throws IOException {
        Path bad = temp.resolve("noise.png");
        byte[] garbage = new byte[2048];
        new java.util.Random(3).nextBytes(garbage);
        Files.write(bad, garbage);
        assertOneLineError(analyze("vit_f32", "--image", bad.toString()), "noise.png", "not an image");
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] png = Files.readAllBytes(image("vit_f32"));
        Path cut = temp.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(png, png.length / 2));
        assertOneLineError(analyze("vit_f32", "--image", cut.toString()), "cut.png", "cannot decode image");
    }

    @Test
    void missingImage() {
        assertOneLineError(analyze("vit_f32", "--image", temp.resolve("none.png").toString()), "none.png", "file not found");
    }

    @Test
    void imageForATextModel() {
        assertOneLineError(analyze("gpt2_f32", "--image", image("vit_f32").toString()), "image.png", "takes text or ids, not images");
    }

    @Test
    void textOrIdsForAVisionModel() {
        assertOneLineError(analyze("vit_f32", "--text", "a cat"), "--text", "is a vision model; give it an image (--image FILE)");
        assertOneLineError(analyze("vit_f32", "--ids", "1,2"), "--ids", "is a vision model");
    }

    /** do_resize false keeps the image's size, which must then be whole patches. */
    @Test
    void imageOfTheWrongSizeWithoutResizing() throws IOException {
        Path model = temp.resolve("vit");
        Files.createDirectories(model);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(Fixtures.model("vit_f32").resolve(f), model.resolve(f));
        }
        Files.writeString(model.resolve("preprocessor_config.json"), "{\"do_resize\": false}");
        Path big = Fixtures.model("vit_resize").resolve("source.png");
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", model.toString(), "--image", big.toString(),
                "--out", temp.resolve("out").toString());
        assertOneLineError(run, "source.png", "is 45x37, but to keep its own size both sides must be multiples of the patch size 8");
    }

    /** A smooth test pattern: {@code channels} equal samples per pixel. */
    private static byte[] row(int width, int channels, int y) {
        byte[] out = new byte[width * channels];
        for (int x = 0; x < width; x++) {
            for (int c = 0; c < channels; c++) {
                out[x * channels + c] = (byte) (7 * x + 5 * y);
            }
        }
        return out;
    }

    private static Path image(String fixture) {
        return Fixtures.model(fixture).resolve("reference").resolve("image.png");
    }

    private CliTestSupport.Run analyze(String fixture, String... input) {
        String[] args = Stream.concat(Stream.of("analyze", "--model", Fixtures.model(fixture).toString(), "--out",
                temp.resolve("out").toString()), Arrays.stream(input)).toArray(String[]::new);
        return CliTestSupport.run(args);
    }

    private static void assertOneLineError(CliTestSupport.Run run, String names, String problem) {
        String err = run.err().strip();
        assertEquals(Cli.USER_ERROR, run.exitCode(), err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.contains(names), "names " + names + ": " + err);
        assertTrue(err.contains(problem), "says " + problem + ": " + err);
        assertFalse(err.contains("Exception"), err);
    }
}
