package headwise.engine.analysis;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixed metrics.json keys against the independent NumPy reference of src/test/python/metrics_reference.py,
 * computed from the committed gpt2_f32 reference attention.
 */
class MetricsReferenceTest {

    static final List<String> FIXED_KEYS = List.of("entropy", "confidence", "prev_token", "sink_score", "sink_rate",
            "mean_distance", "rollout", "layer_similarity");

    private static JsonObject reference() throws IOException {
        Path file = Fixtures.ROOT.resolve("gpt2_f32").resolve("reference").resolve("metrics.json");
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    private static AttentionMaps referenceAttention() {
        Npy.FloatArray a = Fixtures.reference("gpt2_f32", "attention.npy");
        long[] s = a.shape();
        return new AttentionMaps((int) s[0], (int) s[1], (int) s[2], a.values());
    }

    @Test
    void fixedKeysMatchTheNumpyReference() throws IOException {
        JsonObject expected = reference();
        Map<String, Object> actual = MetricsReport.attentionMetrics(referenceAttention(), true, Sinks.DEFAULT_EPSILON);
        assertEquals(FIXED_KEYS, List.copyOf(actual.keySet()), "the fixed keys, in order");
        for (String key : FIXED_KEYS) {
            JsonElement json = JsonParser.parseString(new com.google.gson.Gson().toJson(actual.get(key)));
            double error = maxAbsDiff(expected.get(key), json, key);
            System.out.printf("metrics %-17s max|err| vs numpy %.2e%n", key, error);
            assertTrue(error <= 1e-5, key + " error " + error);
        }
    }

    @Test
    void writeProducesEveryKeyForTheFixtureModel(@TempDir Path dir) throws IOException {
        JsonObject expected = reference();
        Path file = dir.resolve("out").resolve("metrics.json");
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32")));
            MetricsReport.write(file, model, result);
        }
        JsonObject written = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        for (String key : FIXED_KEYS) {
            assertTrue(written.has(key), key);
            // the engine's attention is within 1e-5 of the reference attention; the metrics follow it closely
            double error = maxAbsDiff(expected.get(key), written.get(key), key);
            assertTrue(error <= 1e-4, key + " error " + error);
        }
        for (String key : List.of("entropy_normalised", "hidden_sinks", "layers", "massive_activations", "sink_dimensions",
                "head_types", "meta")) {
            assertTrue(written.has(key), key);
        }
        assertEquals(3, written.getAsJsonObject("layers").getAsJsonArray("first_token_mass").size());
        assertEquals(3, written.getAsJsonObject("massive_activations").getAsJsonArray("top_ratio").size());
        JsonObject headTypes = written.getAsJsonObject("head_types");
        assertEquals(32, headTypes.getAsJsonArray("tokens").size(), "two copies of min(50, 32 positions / 2) = 16 tokens");
        assertEquals(3, headTypes.getAsJsonArray("induction").size());
        assertEquals(12, written.getAsJsonObject("meta").get("tokens").getAsInt());
    }

    /** max |a − b| over two nested arrays of numbers of the same shape. */
    static double maxAbsDiff(JsonElement a, JsonElement b, String where) {
        if (a.isJsonArray()) {
            JsonArray x = a.getAsJsonArray();
            JsonArray y = b.getAsJsonArray();
            assertEquals(x.size(), y.size(), where + ": lengths");
            double max = 0;
            for (int n = 0; n < x.size(); n++) {
                max = Math.max(max, maxAbsDiff(x.get(n), y.get(n), where + "[" + n + "]"));
            }
            return max;
        }
        return Math.abs(a.getAsDouble() - b.getAsDouble());
    }
}
