package headwise.app.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeCommandTest {

    @Test
    void writesTheContractFilesForIds(@TempDir Path out) throws Exception {
        int[] ids = Fixtures.inputIds("gpt2_f32");
        String csv = java.util.Arrays.stream(ids).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", Fixtures.model("gpt2_f32").toString(),
                "--ids", csv, "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());

        Npy.FloatArray attention = Npy.read(out.resolve("attention.npy"));
        assertArrayEquals(new long[] {3, 4, ids.length, ids.length}, attention.shape());
        assertArrayEquals(Fixtures.reference("gpt2_f32", "attention.npy").values(), attention.values(), 1e-5f);
        Npy.FloatArray output = Npy.read(out.resolve("output.npy"));
        assertArrayEquals(new long[] {ids.length, 97}, output.shape());

        JsonObject tokens = JsonParser.parseString(Files.readString(out.resolve("tokens.json"))).getAsJsonObject();
        assertEquals(ids.length, tokens.getAsJsonArray("ids").size());
        assertEquals(ids[3], tokens.getAsJsonArray("ids").get(3).getAsInt());
        assertEquals(ids.length, tokens.getAsJsonArray("tokens").size());
        assertFalse(tokens.has("offsets"), "offsets are only for text input");
    }

    @Test
    void metricsFlagWritesTheFixedKeysMatchingTheNumpyReference(@TempDir Path out) throws Exception {
        int[] ids = Fixtures.inputIds("gpt2_f32");
        String csv = java.util.Arrays.stream(ids).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", Fixtures.model("gpt2_f32").toString(),
                "--ids", csv, "--out", out.toString(), "--metrics");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject actual = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        JsonObject expected = JsonParser.parseString(Files.readString(
                Fixtures.ROOT.resolve("gpt2_f32").resolve("reference").resolve("metrics.json"))).getAsJsonObject();
        for (String key : new String[] {"entropy", "confidence", "prev_token", "sink_score", "sink_rate", "mean_distance",
                "rollout", "layer_similarity"}) {
            assertTrue(actual.has(key), key);
            // The run recomputes attention in float32 (≤ 1e-5 from the reference); metrics follow within a few 1e-5.
            assertNestedClose(expected.get(key), actual.get(key), 1e-4, key);
        }
        assertTrue(actual.has("head_types"), "head types are part of --metrics for token models");
    }

    private static void assertNestedClose(com.google.gson.JsonElement expected, com.google.gson.JsonElement actual,
                                          double tolerance, String path) {
        if (expected.isJsonArray()) {
            assertEquals(expected.getAsJsonArray().size(), actual.getAsJsonArray().size(), path);
            for (int i = 0; i < expected.getAsJsonArray().size(); i++) {
                assertNestedClose(expected.getAsJsonArray().get(i), actual.getAsJsonArray().get(i), tolerance, path + "[" + i + "]");
            }
        } else {
            assertEquals(expected.getAsDouble(), actual.getAsDouble(), tolerance, path);
        }
    }

    @Test
    void analysesTextWithTheBundledModel(@TempDir Path out) throws Exception {
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", "all-MiniLM-L6-v2", "--text", "Attention is all you need.",
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonObject tokens = JsonParser.parseString(Files.readString(out.resolve("tokens.json"))).getAsJsonObject();
        assertEquals("[CLS]", tokens.getAsJsonArray("tokens").get(0).getAsString());
        assertEquals("attention", tokens.getAsJsonArray("tokens").get(1).getAsString());
        assertEquals("[0,9]", tokens.getAsJsonArray("offsets").get(1).toString());
        int length = tokens.getAsJsonArray("ids").size();
        assertArrayEquals(new long[] {6, 12, length, length}, Npy.read(out.resolve("attention.npy")).shape());
        assertArrayEquals(new long[] {length, 384}, Npy.read(out.resolve("output.npy")).shape());
    }

    @Test
    void npyHeaderIsWhatNumpyExpects(@TempDir Path out) throws Exception {
        Path file = out.resolve("a.npy");
        Npy.write(file, new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        byte[] bytes = Files.readAllBytes(file);
        String header = new String(bytes, 10, bytes.length - 10 - 24, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertEquals(0, (10 + header.length()) % 64, "header padded to 64 bytes");
        assertTrue(header.endsWith("\n"));
    }
}
