package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** analyze --relevance writes relevance.npy/.json with the reference's numbers; bad targets are one line. */
class RelevanceCliTest {

    private static final String MODEL = Fixtures.model("gpt2_f32").toString();

    private static String ids() {
        return java.util.Arrays.stream(Fixtures.inputIds("gpt2_f32")).mapToObj(Integer::toString)
                .reduce((a, b) -> a + "," + b).orElseThrow();
    }

    @Test
    void oneMethodAtAChosenTarget(@TempDir Path out) throws Exception {
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", MODEL, "--ids", ids(), "--out", out.toString(),
                "--relevance", "cp-lrp", "--target", "7", "--position", "3");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("relevance.json"))).getAsJsonObject();
        assertEquals("cp-lrp", json.get("method").getAsString());
        assertEquals(7, json.get("target").getAsInt());
        assertEquals(3, json.get("position").getAsInt());
        JsonObject reference = JsonParser.parseString(Files.readString(Fixtures.model("gpt2_f32").resolve("reference")
                .resolve("relevance.json"))).getAsJsonObject().getAsJsonArray("targets").get(1).getAsJsonObject();
        assertEquals(reference.get("logit").getAsDouble(), json.get("logit").getAsDouble(), 1e-5);
        JsonObject cp = reference.getAsJsonObject("methods").getAsJsonObject("cp-lrp");
        assertEquals(cp.get("position_share").getAsDouble(), json.get("position_share").getAsDouble(), 1e-5);
        JsonArray tokens = cp.getAsJsonArray("tokens");
        float[] written = Npy.read(out.resolve("relevance.npy")).values();
        assertEquals(tokens.size(), written.length);
        double sum = 0;
        for (int i = 0; i < written.length; i++) {
            assertEquals(tokens.get(i).getAsDouble(), written[i], 1e-5);
            sum += written[i];
        }
        assertEquals(sum, json.get("sum").getAsDouble(), 1e-5);
        assertEquals(3, json.getAsJsonArray("heads").size());
        assertTrue(Files.exists(out.resolve("attention.npy")), "the fixed files are still written");
    }

    @Test
    void allWritesOneFilePerMethod(@TempDir Path out) {
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", MODEL, "--ids", ids(), "--out", out.toString(),
                "--relevance", "all");
        assertEquals(0, run.exitCode(), run.err());
        for (String m : new String[] {"grad-input", "attnlrp", "cp-lrp", "chefer", "rollout"}) {
            assertTrue(Files.exists(out.resolve("relevance-" + m + ".npy")), m);
            assertTrue(Files.exists(out.resolve("relevance-" + m + ".json")), m);
        }
        assertFalse(Files.exists(out.resolve("relevance.npy")));
    }

    @Test
    void badTargetsAreOneLine(@TempDir Path out) {
        String[][] cases = {
                {"--relevance", "cp-lrp", "--target", "500"},
                {"--relevance", "cp-lrp", "--position", "40"},
                {"--relevance", "lrp"},
                {"--target", "3"},
        };
        String[] expected = {
                "target id 500 is outside the vocabulary (97 tokens)",
                "position 40 is outside the input (0..11)",
                "unknown relevance method 'lrp'",
                "--target and --position need --relevance",
        };
        for (int c = 0; c < cases.length; c++) {
            String[] args = new String[6 + cases[c].length];
            System.arraycopy(new String[] {"analyze", "--model", MODEL, "--ids", ids(), "--out"}, 0, args, 0, 6);
            args = java.util.Arrays.copyOf(args, args.length + 1);
            args[6] = out.toString();
            System.arraycopy(cases[c], 0, args, 7, cases[c].length);
            CliTestSupport.Run run = CliTestSupport.run(args);
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().contains(expected[c]), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
        }
        CliTestSupport.Run vit = CliTestSupport.run("analyze", "--model", Fixtures.model("vit_f32").toString(), "--image",
                Fixtures.model("vit_f32").resolve("reference/image.png").toString(), "--out", out.toString(),
                "--relevance", "attnlrp", "--target", "9");
        assertEquals(2, vit.exitCode());
        assertTrue(vit.err().contains("class 9 is outside the classifier's 5 classes"), vit.err());
    }
}
