package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code probe} end to end on the hand-built model of probe_reference.py (block 1 copies the first token into the
 * last position): a label of the last token is readable from the embedding on, one of the first token only from block
 * 1 on. Accuracies equal scikit-learn's on the same split within one test example.
 */
class ProbeCommandTest {

    static final Path MODEL = Fixtures.model("probe_gpt2");
    static final Path DATA = MODEL.resolve("data");

    @TempDir
    Path out;

    @ParameterizedTest
    @ValueSource(strings = {"early.jsonl", "late.jsonl", "late3.csv"})
    void accuraciesEqualScikitLearnWithinOneTestExample(String file) throws IOException {
        JsonObject json = probe(DATA.resolve(file));
        String name = file.substring(0, file.indexOf('.'));
        JsonObject ref = JsonParser.parseString(Files.readString(MODEL.resolve("reference").resolve("probe.json")))
                .getAsJsonObject().getAsJsonObject(name);
        int nTest = ref.get("n_test").getAsInt();
        assertEquals(ref.get("n_train").getAsInt(), json.get("n_train").getAsInt());
        assertEquals(nTest, json.get("n_test").getAsInt());
        assertTrue(json.get("seed").isJsonNull(), "the file gave the split");
        JsonArray layers = json.getAsJsonArray("layers");
        assertEquals(3, layers.size(), "exactly L entries");
        for (int l = 0; l < 3; l++) {
            JsonObject layer = layers.get(l).getAsJsonObject();
            assertEquals(List.of("layer", "accuracy", "f1", "auc"), List.copyOf(layer.keySet()));
            assertEquals(l, layer.get("layer").getAsInt());
            assertScores(ref.getAsJsonArray("layers").get(l).getAsJsonObject(), layer, nTest, name + " layer " + l);
        }
        assertScores(ref.getAsJsonObject("embedding"), json.getAsJsonObject("embedding"), nTest, name + " embedding");
    }

    @Test
    void theCurveShowsWhereTheLabelBecomesReadable() throws IOException {
        JsonObject early = probe(DATA.resolve("early.jsonl"));
        assertEquals(1.0, early.getAsJsonObject("embedding").get("accuracy").getAsDouble());
        assertEquals(0, early.get("depth").getAsInt());
        assertEquals(List.of("g0", "g1"), strings(early.getAsJsonArray("labels")));
        assertEquals("g1", early.get("positive").getAsString());

        JsonObject late = probe(DATA.resolve("late.jsonl"), "--figure", "png");
        java.awt.image.BufferedImage figure = javax.imageio.ImageIO.read(out.resolve("probe.png").toFile());
        assertTrue(figure.getWidth() > 600 && figure.getHeight() > 250, "curves and head map side by side");
        assertTrue(late.getAsJsonObject("embedding").get("accuracy").getAsDouble() < 0.75, "the embedding knows only the last token");
        JsonArray layers = late.getAsJsonArray("layers");
        assertTrue(layers.get(0).getAsJsonObject().get("accuracy").getAsDouble() < 0.75, "block 0 does nothing");
        assertEquals(1.0, layers.get(1).getAsJsonObject().get("accuracy").getAsDouble());
        assertEquals(1.0, layers.get(2).getAsJsonObject().get("accuracy").getAsDouble());
        assertEquals(1, late.get("depth").getAsInt());

        JsonArray heads = late.getAsJsonArray("heads");
        assertEquals(3, heads.size());
        assertEquals(2, heads.get(1).getAsJsonArray().size());
        assertEquals(1.0, heads.get(1).getAsJsonArray().get(0).getAsDouble(), "head 1.0 copies the first token");
        assertTrue(heads.get(1).getAsJsonArray().get(1).getAsDouble() < 0.75, "head 1.1 outputs nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"attn.hook_z", "hook_resid_mid", "ln2.hook_normalized"})
    void otherSitesSeeTheCopyInBlockOne(String site) throws IOException {
        JsonObject json = probe(DATA.resolve("late.jsonl"), "--site", site, "--no-heads");
        assertEquals(site, json.get("site").getAsString());
        JsonArray layers = json.getAsJsonArray("layers");
        assertEquals(3, layers.size());
        assertTrue(layers.get(0).getAsJsonObject().get("accuracy").getAsDouble() < 0.75, site + " of block 0");
        if (!site.equals("ln2.hook_normalized")) { // ln2 of block 1 has zero weights here: its output is 0 everywhere
            assertEquals(1.0, layers.get(1).getAsJsonObject().get("accuracy").getAsDouble(), site + " of block 1");
        }
        assertTrue(!json.has("heads"));
    }

    @Test
    void clsPositionReadsTheFirstTokenFromTheEmbedding() throws IOException {
        JsonObject json = probe(DATA.resolve("late.jsonl"), "--position", "cls", "--no-heads");
        assertEquals("cls", json.get("position").getAsString());
        assertEquals(1.0, json.getAsJsonObject("embedding").get("accuracy").getAsDouble());
        assertEquals(0, json.get("depth").getAsInt());
    }

    @Test
    void meanPositionMixesBothTokens() throws IOException {
        // the mean of e_a and e_b does not separate group(a) linearly (e_b cancels it), the copy of block 1 does
        JsonObject json = probe(DATA.resolve("late.jsonl"), "--position", "mean", "--no-heads");
        assertEquals("mean", json.get("position").getAsString());
        assertTrue(json.getAsJsonObject("embedding").get("accuracy").getAsDouble() < 0.9);
        assertEquals(1.0, json.getAsJsonArray("layers").get(1).getAsJsonObject().get("accuracy").getAsDouble());
    }

    @Test
    void noiseOnTheEmbeddingsLowersTheCurve() throws IOException {
        JsonObject clean = probe(DATA.resolve("early.jsonl"), "--no-heads");
        assertEquals(0.0, clean.get("noise").getAsDouble());
        assertEquals(0, clean.getAsJsonArray("variants").size());
        JsonObject json = probe(DATA.resolve("early.jsonl"), "--no-heads", "--noise", "3");
        assertEquals(3.0, json.get("noise").getAsDouble());
        assertEquals(clean.getAsJsonArray("layers"), json.getAsJsonArray("layers"), "the main curve stays without noise");
        JsonObject noisy = json.getAsJsonArray("variants").get(0).getAsJsonObject();
        assertEquals("noise σ=3", noisy.get("name").getAsString());
        double cleanSum = 0;
        double noisySum = 0;
        for (int l = 0; l < 3; l++) {
            cleanSum += clean.getAsJsonArray("layers").get(l).getAsJsonObject().get("accuracy").getAsDouble();
            noisySum += noisy.getAsJsonArray("layers").get(l).getAsJsonObject().get("accuracy").getAsDouble();
        }
        assertEquals(3.0, cleanSum);
        assertTrue(noisySum < 2.7, "noise of sigma 3 on one-hot embeddings hides the token: " + noisySum);
        assertTrue(noisy.getAsJsonObject("embedding").get("accuracy").getAsDouble() < 0.9);
        assertEquals(json, probe(DATA.resolve("early.jsonl"), "--no-heads", "--noise", "3"), "seeded: the same again");
    }

    @Test
    void attentiveProbeReadsTheFirstTokenWhereTheLinearProbeOnTheLastCannot() throws IOException {
        JsonObject json = probe(DATA.resolve("late.jsonl"), "--no-heads", "--attentive", "--queries", "4", "--attention-example", "5",
                "--figure", "png");
        assertEquals(4, json.get("queries").getAsInt());
        JsonArray attentive = json.getAsJsonArray("attentive");
        assertEquals(3, attentive.size(), "exactly L entries");
        assertEquals(List.of("layer", "accuracy", "f1", "auc"), List.copyOf(attentive.get(0).getAsJsonObject().keySet()));
        assertTrue(json.getAsJsonObject("embedding").get("accuracy").getAsDouble() < 0.75, "linear, last token: no");
        double attentiveEmbedding = json.getAsJsonObject("attentive_embedding").get("accuracy").getAsDouble();
        assertTrue(attentiveEmbedding >= 0.9, "the queries find the first token's embedding: " + attentiveEmbedding);
        assertTrue(attentive.get(0).getAsJsonObject().get("accuracy").getAsDouble() >= 0.9, "block 0 keeps it");
        assertEquals(0, json.get("attentive_depth").getAsInt());

        JsonObject attention = json.getAsJsonObject("attention");
        assertEquals(5, attention.get("example").getAsInt());
        assertEquals(6, attention.get("row").getAsInt());
        assertEquals(2, attention.getAsJsonArray("tokens").size());
        JsonArray weights = attention.getAsJsonArray("weights");
        assertEquals(3, weights.size(), "[L][M][T]");
        assertEquals(4, weights.get(0).getAsJsonArray().size());
        for (var row : weights.get(0).getAsJsonArray()) {
            double[] w = Fixtures.numbers(row);
            assertEquals(2, w.length);
            assertEquals(1.0, w[0] + w[1], 1e-9);
        }
        assertEquals(json.getAsJsonArray("attentive"), probe(DATA.resolve("late.jsonl"), "--no-heads", "--queries", "4")
                .getAsJsonArray("attentive"), "seeded: the same again");
        java.awt.image.BufferedImage figure = javax.imageio.ImageIO.read(out.resolve("probe.png").toFile());
        assertTrue(figure.getWidth() > 600 && figure.getHeight() > 500, "two charts and the attention map: " + figure.getWidth()
                + "×" + figure.getHeight());
    }

    @Test
    void lowerPrecisionCopyIsProbedTheSameWay() throws IOException {
        JsonObject json = probe(DATA.resolve("late.jsonl"), "--no-heads", "--low-precision", "bf16", "--noise", "0.5");
        JsonArray variants = json.getAsJsonArray("variants");
        assertEquals(2, variants.size());
        assertEquals("noise σ=0.5", variants.get(0).getAsJsonObject().get("name").getAsString());
        JsonObject bf16 = variants.get(1).getAsJsonObject();
        assertEquals("BF16", bf16.get("name").getAsString());
        assertEquals(3, bf16.getAsJsonArray("layers").size());
        // the one-hot weights and the copy's scale 10 are exact in bfloat16: the same readings
        assertEquals(json.getAsJsonArray("layers"), bf16.getAsJsonArray("layers"));
        assertEquals(1, bf16.get("depth").getAsInt());
    }

    @Test
    void aQ8GgufCopyIsTheComparedModel(@TempDir Path dir) throws IOException {
        Path gguf = headwise.engine.io.gguf.HfToGguf.write(MODEL, "gpt2", dir.resolve("probe-q8_0.gguf"), true);
        JsonObject json = probe(DATA.resolve("late.jsonl"), "--no-heads", "--low-precision", "Q8_0", "--compare-model", gguf.toString());
        JsonObject q8 = json.getAsJsonArray("variants").get(0).getAsJsonObject();
        assertEquals("Q8_0", q8.get("name").getAsString());
        assertEquals(3, q8.getAsJsonArray("layers").size());
        assertEquals(1, q8.get("depth").getAsInt());
        assertEquals(1.0, q8.getAsJsonArray("layers").get(2).getAsJsonObject().get("accuracy").getAsDouble(), "8-bit weights still copy");
    }

    @Test
    void seededStratifiedSplitIsWrittenAndRepeatable() throws IOException {
        JsonObject first = probe(DATA.resolve("late_seeded.jsonl"), "--seed", "7");
        assertEquals(7, first.get("seed").getAsLong());
        assertEquals("stratified", first.getAsJsonObject("split").get("source").getAsString());
        assertEquals(86, first.get("n_train").getAsInt(), "round(0.6 · 72) = 43 per class");
        assertEquals(58, first.get("n_test").getAsInt());
        assertEquals(1, first.get("depth").getAsInt());
        JsonObject again = probe(DATA.resolve("late_seeded.jsonl"), "--seed", "7");
        assertEquals(first.getAsJsonObject("split"), again.getAsJsonObject("split"));
        JsonObject other = probe(DATA.resolve("late_seeded.jsonl"), "--seed", "8");
        assertNotEquals(first.getAsJsonObject("split").get("train"), other.getAsJsonObject("split").get("train"));
    }

    private JsonObject probe(Path data, String... extra) throws IOException {
        String[] args = {"probe", "--model", MODEL.toString(), "--data", data.toString(), "--out", out.toString()};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        CliTestSupport.Run run = CliTestSupport.run(all);
        assertEquals(0, run.exitCode(), run.err());
        return JsonParser.parseString(Files.readString(out.resolve("probe.json"))).getAsJsonObject();
    }

    private static void assertScores(JsonObject expected, JsonObject actual, int nTest, String what) {
        assertEquals(expected.get("accuracy").getAsDouble(), actual.get("accuracy").getAsDouble(), 1.0 / nTest + 1e-12, what + " accuracy");
        assertEquals(expected.get("f1").getAsDouble(), actual.get("f1").getAsDouble(), 0.05, what + " f1");
        assertEquals(expected.get("auc").getAsDouble(), actual.get("auc").getAsDouble(), 0.05, what + " auc");
    }

    private static List<String> strings(JsonArray array) {
        return array.asList().stream().map(e -> e.getAsString()).toList();
    }
}
