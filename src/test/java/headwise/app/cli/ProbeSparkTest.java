package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.app.probe.SparkProbeFeatures;
import headwise.engine.HeadwiseException;
import headwise.engine.run.MemoryBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probes' features extracted on Spark (local mode, the corpus job's set-up) give the probe.json of the
 * in-process extraction: the same split, labels and sites, every score within 1e-6 (on this fixture they are equal to
 * the bit; a partition can put examples into other batches than one process does, which may move a feature by float
 * rounding).
 */
class ProbeSparkTest {

    private static final Path MODEL = ProbeCommandTest.MODEL;
    private static final Path DATA = ProbeCommandTest.DATA;

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"", "--site attn.hook_z", "--no-heads --attentive --queries 4 --attention-example 5"})
    void sparkGivesTheProbeJsonOfTheInProcessExtraction(String options) throws IOException {
        List<String> extra = options.isEmpty() ? List.of() : List.of(options.split(" "));
        JsonObject inProcess = probe(temp.resolve("here"), DATA.resolve("late.jsonl"), extra).json();
        List<String> onSpark = new ArrayList<>(extra);
        onSpark.addAll(List.of("--spark", "--partitions", "3"));
        Probed spark = probe(temp.resolve("spark"), DATA.resolve("late.jsonl"), onSpark);
        assertTrue(spark.out().contains(" on Spark, probes"), spark.out());
        assertTrue(spark.err().contains("probe: 144/144 examples"), "progress from the listener: " + spark.err());
        assertFalse(Files.exists(temp.resolve("spark").resolve(".spark-work")), "Spark's scratch folder is removed");
        assertSameJson(inProcess, spark.json(), 1e-6, "probe.json");
    }

    @Test
    void aLargeDataSetGoesToSparkUnlessNoSpark() throws IOException {
        Probed auto = probeWithAutoLimit(temp.resolve("auto"), 100);
        assertTrue(auto.out().contains(" on Spark, probes"), "144 examples > 100: " + auto.out());
        Probed small = probeWithAutoLimit(temp.resolve("small"), 1000);
        assertFalse(small.out().contains("on Spark"), small.out());
        assertSameJson(small.json(), auto.json(), 1e-6, "probe.json");
        Probed refused = probeWithAutoLimit(temp.resolve("no"), 100, "--no-spark");
        assertFalse(refused.out().contains("on Spark"), refused.out());
    }

    @Test
    void sparkAndNoSparkTogetherIsOneLine() {
        CliTestSupport.Run run = CliTestSupport.run("probe", "--model", MODEL.toString(), "--data", DATA.resolve("late.jsonl").toString(),
                "--out", temp.toString(), "--spark", "--no-spark");
        assertEquals(2, run.exitCode());
        assertEquals("error: --spark (or --master) and --no-spark: choose one", run.err().strip());
    }

    @Test
    void theDriverBudgetsTheFeaturesItReceives() {
        // 3 blocks of width 32, 2 heads of 16: (L+1)·d pooled floats and L·H·d_head head outputs per example
        long perExample = (4 * 32 + 3 * 2 * 16) * Float.BYTES;
        assertEquals(1000 * perExample * 3 / 2, SparkProbeFeatures.driverBytes(fixtureSpec(), defaults(), new int[1000][2], 0));
        assertEquals(1000 * perExample * 5 / 4, SparkProbeFeatures.driverBytes(fixtureSpec(), defaults(), new int[1000][2], 4));
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> MemoryBudget.checkHeap(Long.MAX_VALUE / 2,
                "probe on Spark: the features of 9 examples on the driver"));
        assertTrue(e.getMessage().startsWith("probe on Spark: the features of 9 examples on the driver needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("MiB of Java heap, but only ") && e.getMessage().lines().count() == 1, e.getMessage());
    }

    private static headwise.engine.model.ModelSpec fixtureSpec() {
        try (var model = headwise.engine.load.ModelLoader.load(MODEL.toString())) {
            headwise.engine.model.ModelSpec spec = model.spec();
            assertEquals(List.of(3, 32, 2, 16), List.of(spec.layers(), spec.dModel(), spec.heads(), spec.dHead()), "the fixture's shape");
            return spec;
        }
    }

    private static headwise.engine.analysis.probe.ProbeSettings defaults() {
        return headwise.engine.analysis.probe.ProbeSettings.defaults();
    }

    record Probed(JsonObject json, String out, String err) {
    }

    private static Probed probe(Path out, Path data, List<String> extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("probe", "--model", MODEL.toString(), "--data", data.toString(), "--out", out.toString()));
        args.addAll(extra);
        CliTestSupport.Run run = CliTestSupport.run(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        return new Probed(JsonParser.parseString(Files.readString(out.resolve("probe.json"))).getAsJsonObject(), run.out(), run.err());
    }

    private static Probed probeWithAutoLimit(Path out, int limit, String... extra) throws IOException {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        var cli = Cli.commandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        ((ProbeCommand) cli.getSubcommands().get("probe").getCommand()).autoSparkExamples = limit;
        List<String> args = new ArrayList<>(List.of("probe", "--model", MODEL.toString(), "--data", DATA.resolve("late.jsonl").toString(),
                "--out", out.toString()));
        args.addAll(List.of(extra));
        assertEquals(0, cli.execute(args.toArray(String[]::new)), stderr.toString());
        return new Probed(JsonParser.parseString(Files.readString(out.resolve("probe.json"))).getAsJsonObject(), stdout.toString(),
                stderr.toString());
    }

    /** Equal JSON but for numbers, which agree within {@code tolerance}; the output folders' own paths aside. */
    static void assertSameJson(JsonElement expected, JsonElement actual, double tolerance, String where) {
        if (expected.isJsonObject()) {
            JsonObject e = expected.getAsJsonObject();
            JsonObject a = actual.getAsJsonObject();
            assertEquals(e.keySet(), a.keySet(), where);
            for (Map.Entry<String, JsonElement> entry : e.entrySet()) {
                assertSameJson(entry.getValue(), a.get(entry.getKey()), tolerance, where + "." + entry.getKey());
            }
        } else if (expected.isJsonArray()) {
            JsonArray e = expected.getAsJsonArray();
            JsonArray a = actual.getAsJsonArray();
            assertEquals(e.size(), a.size(), where + " size");
            for (int i = 0; i < e.size(); i++) {
                assertSameJson(e.get(i), a.get(i), tolerance, where + "[" + i + "]");
            }
        } else if (expected.isJsonPrimitive() && expected.getAsJsonPrimitive().isNumber()) {
            assertEquals(expected.getAsDouble(), actual.getAsDouble(), tolerance, where);
        } else {
            assertEquals(expected, actual, where);
        }
    }
}
