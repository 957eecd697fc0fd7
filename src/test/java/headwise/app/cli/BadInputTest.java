package headwise.app.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input gives exit code 2 and exactly one line on stderr that names the file (or option)
 * and the problem, without a stack trace, within seconds.
 */
class BadInputTest {

    @TempDir
    Path temp;

    @Test
    void missingFolder() {
        assertOneLineError(analyze(temp.resolve("nope").toString(), "--ids", "1,2"), "nope", "no such model folder");
    }

    @Test
    void missingConfig() throws IOException {
        Path model = copyFixture();
        Files.delete(model.resolve("config.json"));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "config.json", "file not found");
    }

    @Test
    void garbageConfig() throws IOException {
        Path model = copyFixture();
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"gpt2\", ");
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "config.json", "not valid JSON");
    }

    @Test
    void incompleteConfig() throws IOException {
        Path model = copyFixture();
        editConfig(model, c -> c.remove("n_layer"));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "config.json", "missing \"n_layer\"");
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path model = copyFixture();
        editConfig(model, c -> c.addProperty("model_type", "mamba"));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "config.json", "unsupported architecture: model_type 'mamba'");
    }

    @Test
    void configThatDisagreesWithTheWeights() throws IOException {
        Path model = copyFixture();
        editConfig(model, c -> c.addProperty("n_positions", 64));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors",
                "tensor 'transformer.wpe.weight' has shape [32, 64], expected [64, 64]");
    }

    @Test
    void corruptSafetensors() throws IOException {
        Path model = copyFixture();
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(model.resolve("model.safetensors"), garbage);
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "corrupt safetensors header");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path model = copyFixture();
        try (RandomAccessFile file = new RandomAccessFile(model.resolve("model.safetensors").toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "truncated file?");
    }

    @Test
    void emptySafetensors() throws IOException {
        Path model = copyFixture();
        Files.write(model.resolve("model.safetensors"), new byte[0]);
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "too short for a header");
    }

    @Test
    void headerThatLiesAboutOffsets() throws IOException {
        Path model = copyFixture();
        editHeader(model, header -> header.getAsJsonObject("transformer.wte.weight").getAsJsonArray("data_offsets").set(1,
                new com.google.gson.JsonPrimitive(1L << 40)));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "transformer.wte.weight");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path model = copyFixture();
        try (RandomAccessFile file = new RandomAccessFile(model.resolve("model.safetensors").toFile(), "rw")) {
            file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        }
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "header length");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path model = copyFixture();
        editHeader(model, header -> {
            var wpe = header.getAsJsonObject("transformer.wpe.weight");
            var ln = header.getAsJsonObject("transformer.h.0.ln_1.weight");
            long start = wpe.getAsJsonArray("data_offsets").get(0).getAsLong();
            ln.add("data_offsets", JsonParser.parseString("[" + start + "," + (start + 256) + "]"));
        });
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "overlap");
    }

    @Test
    void missingTensor() throws IOException {
        Path model = copyFixture();
        editHeader(model, header -> header.remove("transformer.h.2.mlp.c_fc.bias"));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model", "missing tensor 'transformer.h.2.mlp.c_fc.bias'");
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path model = copyFixture();
        editHeader(model, header -> header.getAsJsonObject("transformer.ln_f.bias").addProperty("dtype", "I8"));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors", "dtype I8");
    }

    @Test
    void idsOutsideTheVocabulary() {
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString(), "--ids", "5,97"), "--ids", "token id 97 is outside the vocabulary");
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString(), "--ids", "5,-1"), "--ids", "outside the vocabulary");
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString(), "--ids", "5,x"), "--ids", "'x' is not an integer");
    }

    @Test
    void inputLongerThanThePositions() {
        String ids = String.join(",", java.util.Collections.nCopies(33, "1"));
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString(), "--ids", ids), "--ids", "longer than the model's 32 positions");
    }

    @Test
    void textWithoutTokenizer() {
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString(), "--text", "hello"), "tokenizer.json", "file not found");
    }

    @Test
    void corruptTokenizer() throws IOException {
        Path model = copyFixture();
        Files.writeString(model.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": 42}");
        assertOneLineError(analyze(model.toString(), "--text", "hello"), "tokenizer.json", "cannot load tokenizer");
    }

    @Test
    void pickleOnly() throws IOException {
        Path model = copyFixture();
        Files.move(model.resolve("model.safetensors"), model.resolve("pytorch_model.bin"));
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "pytorch_model.bin", "convert the model to safetensors");
    }

    @Test
    void shardIndexPointingOutsideTheFolder() throws IOException {
        Path model = copyFixture("gpt2_sharded");
        Path index = model.resolve("model.safetensors.index.json");
        JsonObject json = JsonParser.parseString(Files.readString(index)).getAsJsonObject();
        json.getAsJsonObject("weight_map").addProperty("transformer.wte.weight", "../../etc/passwd");
        Files.writeString(index, json.toString());
        assertOneLineError(analyze(model.toString(), "--ids", "1,2"), "model.safetensors.index.json", "outside the model folder");
    }

    @Test
    void noInputOrTwoInputs() {
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString()), "", "exactly one of --text, --ids, --image");
        assertOneLineError(analyze(Fixtures.model("gpt2_f32").toString(), "--ids", "1", "--text", "a"), "", "exactly one of");
    }

    @Test
    void unknownOption() {
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--modle", "x");
        assertEquals(Cli.USER_ERROR, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }

    private CliTestSupport.Run analyze(String model, String... input) {
        String[] args = Stream.concat(Stream.of("analyze", "--model", model, "--out", temp.resolve("out").toString()),
                Arrays.stream(input)).toArray(String[]::new);
        long start = System.nanoTime();
        CliTestSupport.Run run = CliTestSupport.run(args);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 10, "took " + seconds + " s");
        return run;
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

    private Path copyFixture() throws IOException {
        return copyFixture("gpt2_f32");
    }

    private Path copyFixture(String name) throws IOException {
        Path target = temp.resolve(name);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Fixtures.model(name))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    private static void editConfig(Path model, Consumer<JsonObject> edit) throws IOException {
        Path config = model.resolve("config.json");
        JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        edit.accept(json);
        Files.writeString(config, json.toString());
    }

    /** Rewrites the safetensors header (data bytes unchanged). */
    private static void editHeader(Path model, Consumer<JsonObject> edit) throws IOException {
        Path file = model.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(bytes, 8, headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
        edit.accept(header);
        byte[] newHeader = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + newHeader.length + bytes.length - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(bytes, 8 + headerLength, bytes.length - 8 - headerLength);
        Files.write(file, out.array());
    }
}
