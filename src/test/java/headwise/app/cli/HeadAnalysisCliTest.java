package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** analyze's per-head analysis flags write their metrics.json keys, after the existing ones. */
class HeadAnalysisCliTest {

    @Test
    void flagsAddTheirKeysAfterTheExistingOnes(@TempDir Path out) throws Exception {
        int[] ids = Fixtures.inputIds("gpt2_f32");
        String csv = java.util.Arrays.stream(ids).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", Fixtures.model("gpt2_f32").toString(),
                "--ids", csv, "--out", out.toString(), "--zerotuning", "0.5", "--heads", "1.2,2.0", "--act",
                "--importance=zero,gradient", "--ablation-scope", "measure-at-position", "--context-span", "2:5",
                "--retrieval", "--retrieval-max-new", "3");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        List<String> keys = new ArrayList<>(m.keySet());
        assertEquals(0, keys.indexOf("entropy"), "the fixed keys come first");
        int meta = keys.indexOf("meta");
        for (String key : new String[] {"retrieval", "zerotuning", "sink_calibration", "importance", "context_sensitivity"}) {
            assertTrue(keys.indexOf(key) > meta, key + " is appended: " + keys);
        }
        // the same numbers as the PyTorch reference's first ZeroTuning case (γ 0.5 on heads 1.2 and 2.0)
        JsonObject reference = JsonParser.parseString(Files.readString(Fixtures.model("gpt2_f32").resolve("reference")
                .resolve("intervene.json"))).getAsJsonObject().getAsJsonArray("cases").get(0).getAsJsonObject();
        JsonObject zt = m.getAsJsonObject("zerotuning");
        assertEquals(reference.get("kl").getAsDouble(), zt.get("kl").getAsDouble(), 1e-6);
        assertEquals(10, zt.getAsJsonArray("shifted_top_ids").size());
        assertEquals(2, m.getAsJsonObject("sink_calibration").getAsJsonArray("sinks").size());

        JsonObject importance = m.getAsJsonObject("importance");
        JsonObject zero = importance.getAsJsonObject("ablation_zero");
        assertEquals("measure-at-position", zero.get("scope").getAsString());
        assertTrue(zero.get("delta_loss").isJsonNull(), "not measured in this scope");
        assertEquals(3, zero.getAsJsonArray("kl").size());
        assertEquals(4, importance.getAsJsonObject("gradient").getAsJsonArray("importance").get(0).getAsJsonArray().size());
        assertEquals(2, importance.getAsJsonObject("rank_agreement").getAsJsonArray("measures").size());

        JsonObject retrieval = m.getAsJsonObject("retrieval");
        assertEquals(3, retrieval.getAsJsonArray("generated").size());
        JsonArray scores = retrieval.getAsJsonArray("scores");
        assertEquals(3, scores.size());
        JsonObject context = m.getAsJsonObject("context_sensitivity");
        assertEquals(ids.length - 5, context.getAsJsonArray("queries").size());
    }

    @Test
    void badFlagsAreOneLineErrors(@TempDir Path out) {
        String model = Fixtures.model("gpt2_f32").toString();
        for (String[] flags : new String[][] {{"--zerotuning", "2", "--heads", "9.9"}, {"--importance=zero,median"},
                {"--context-span", "5"}, {"--ablation-scope", "some"}, {"--needle", "x"}}) {
            List<String> args = new ArrayList<>(List.of("analyze", "--model", model, "--ids", "1,2,3", "--out", out.toString()));
            args.addAll(List.of(flags));
            CliTestSupport.Run run = CliTestSupport.run(args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), String.join(" ", flags) + ": " + run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertFalse(run.err().contains("Exception"), run.err());
        }
    }
}
