package headwise.app.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code analyze --image}: the contract files for ViT/DeiT, and one-line errors for bad images and wrong inputs. */
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
        assertOneLineError(run, "source.png", "is 45x37 after preprocessing, but the model takes 32x32");
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
