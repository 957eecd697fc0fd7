package headwise.app.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.io.gguf.TinyLlamaGguf;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --model file.gguf} in analyze and generate, with the tokenizer from the file's metadata. */
class GgufCliTest {

    @TempDir
    Path dir;

    @Test
    void analyzeAndGenerateFromAGgufAlone() throws IOException {
        Path model = TinyLlamaGguf.write(Fixtures.model("llama_f32"), dir.resolve("tiny.gguf"), true);
        Path out = dir.resolve("out");
        CliTestSupport.Run analyze = CliTestSupport.run("analyze", "--model", model.toString(), "--text", "hello world", "--out", out.toString());
        assertEquals(0, analyze.exitCode(), analyze.err());
        assertTrue(analyze.out().contains("tiny.gguf (LlamaForCausalLM (GGUF, RoPE on adjacent pairs))"), analyze.out());
        JsonObject tokens = JsonParser.parseString(Files.readString(out.resolve("tokens.json"))).getAsJsonObject();
        assertEquals(List.of(1, 35, 40), tokens.getAsJsonArray("ids").asList().stream().map(e -> e.getAsInt()).toList(),
                "<s> ▁hello ▁world");
        assertArrayEquals(new long[] {3, 4, 3, 3}, Npy.read(out.resolve("attention.npy")).shape());
        assertArrayEquals(new long[] {3, 97}, Npy.read(out.resolve("output.npy")).shape());

        CliTestSupport.Run generate = CliTestSupport.run("generate", "--model", model.toString(), "--text", "hello", "--max-new", "3");
        assertEquals(0, generate.exitCode(), generate.err());
        String[] lines = generate.out().strip().split("\n");
        JsonObject last = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertTrue(last.getAsJsonArray("ids").size() <= 3);
    }

    @Test
    void aGgufWithoutTokenizerTakesIds() {
        Path model = TinyLlamaGguf.write(Fixtures.model("llama_f32"), dir.resolve("bare.gguf"));
        CliTestSupport.Run text = CliTestSupport.run("analyze", "--model", model.toString(), "--text", "hi", "--out", dir.resolve("t").toString());
        assertEquals(2, text.exitCode());
        assertTrue(text.err().contains("bare.gguf: this model file has no tokenizer (give token ids with --ids instead)"), text.err());
        CliTestSupport.Run ids = CliTestSupport.run("analyze", "--model", model.toString(), "--ids", "1,2,3", "--out", dir.resolve("i").toString());
        assertEquals(0, ids.exitCode(), ids.err());
    }

    @Test
    void aBadGgufIsOneLine() throws IOException {
        Path model = Files.write(dir.resolve("broken.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", model.toString(), "--ids", "1,2", "--out", dir.resolve("o").toString());
        assertEquals(2, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("broken.gguf: corrupt GGUF: tensor count at byte 8 runs past the end of the file"), run.err());
    }
}
