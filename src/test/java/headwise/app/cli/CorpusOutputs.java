package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks a corpus run's files against the NumPy reference of corpus_reference.py, or against another run. */
public final class CorpusOutputs {

    /** The corpus of corpus_reference.py: 12 prompts of token ids for the gpt2_f32 fixture. */
    public static final Path PROMPTS = Fixtures.ROOT.resolve("corpus_gpt2").resolve("prompts.jsonl");
    static final Path REFERENCE = Fixtures.ROOT.resolve("corpus_gpt2").resolve("reference");
    static final int PROMPT_COUNT = 12;
    static final int HEADS = 3 * 4;
    /** float32 attention against the float64 reference: mean distances (up to ~10 tokens) agree within 3e-6 */
    static final double TOLERANCE = 1e-5;

    private CorpusOutputs() {
    }

    public static String[] args(Path out, String... more) {
        String[] base = {"corpus", "--model", Fixtures.model("gpt2_f32").toString(), "--data", PROMPTS.toString(),
            "--out", out.toString(), "--partitions", "3"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** Every number of head_stats, layer_stats and atlas against the reference; per_prompt.jsonl complete, no doubles. */
    public static void assertMatchesReference(Path out) throws IOException {
        for (String file : List.of("head_stats.json", "layer_stats.json")) {
            JsonObject actual = read(out.resolve(file));
            JsonObject expected = read(REFERENCE.resolve(file));
            assertEquals(PROMPT_COUNT, actual.get("prompts").getAsInt(), file);
            JsonObject metrics = expected.getAsJsonObject("metrics");
            assertEquals(metrics.keySet(), actual.getAsJsonObject("metrics").keySet(), file);
            for (String metric : metrics.keySet()) {
                JsonObject e = metrics.getAsJsonObject(metric);
                JsonObject a = actual.getAsJsonObject("metrics").getAsJsonObject(metric);
                assertEquals(e.get("prompts").getAsInt(), a.get("prompts").getAsInt(), file + " " + metric);
                for (String part : List.of("mean", "std", "p10", "p50", "p90")) {
                    assertClose(e.get(part), a.get(part), TOLERANCE, file + " " + metric + "." + part);
                }
            }
        }
        JsonObject atlas = read(out.resolve("atlas.json"));
        JsonObject expected = read(REFERENCE.resolve("atlas.json"));
        assertClose(expected.get("distance"), atlas.get("distance"), 1e-6, "atlas distance");
        assertClose(expected.get("heads"), atlas.get("heads"), 1e-5, "atlas heads");
        assertPerPromptComplete(out);
    }

    /** One row per prompt and head, each exactly once. */
    static void assertPerPromptComplete(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("per_prompt.jsonl"));
        assertEquals(PROMPT_COUNT * HEADS, lines.size());
        Set<String> keys = new HashSet<>();
        for (String line : lines) {
            JsonObject row = JsonParser.parseString(line).getAsJsonObject();
            keys.add(row.get("prompt").getAsInt() + "/" + row.get("layer").getAsInt() + "/" + row.get("head").getAsInt());
        }
        assertEquals(PROMPT_COUNT * HEADS, keys.size(), "a (prompt, layer, head) row is doubled");
    }

    /** The same files, number for number within {@code tolerance}. */
    public static void assertSameRun(Path expected, Path actual, double tolerance) throws IOException {
        for (String file : List.of("head_stats.json", "layer_stats.json", "atlas.json")) {
            assertClose(read(expected.resolve(file)), read(actual.resolve(file)), tolerance, file);
        }
        assertEquals(Files.readAllLines(expected.resolve("per_prompt.jsonl")).size(),
                Files.readAllLines(actual.resolve("per_prompt.jsonl")).size());
    }

    static JsonObject read(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** Numbers within tolerance, everything else equal, object keys of {@code expected} only. */
    static void assertClose(JsonElement expected, JsonElement actual, double tolerance, String where) {
        if (expected.isJsonArray()) {
            JsonArray e = expected.getAsJsonArray();
            JsonArray a = actual.getAsJsonArray();
            assertEquals(e.size(), a.size(), where);
            for (int i = 0; i < e.size(); i++) {
                assertClose(e.get(i), a.get(i), tolerance, where + "[" + i + "]");
            }
        } else if (expected.isJsonObject()) {
            for (String key : expected.getAsJsonObject().keySet()) {
                assertTrue(actual.getAsJsonObject().has(key), where + ": no " + key);
                assertClose(expected.getAsJsonObject().get(key), actual.getAsJsonObject().get(key), tolerance, where + "." + key);
            }
        } else if (expected.isJsonPrimitive() && expected.getAsJsonPrimitive().isNumber()) {
            assertEquals(expected.getAsDouble(), actual.getAsDouble(), tolerance, where);
        } else {
            assertEquals(expected, actual, where);
        }
    }
}
