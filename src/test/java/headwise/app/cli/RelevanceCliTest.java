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

    /** faithfulness.json: each method's curves as the engine computes them, their areas, the baseline and steps. */
    @Test
    void faithfulnessWritesEveryMethodsCurves(@TempDir Path out) {
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", MODEL, "--ids", ids(), "--out", out.toString(),
                "--faithfulness", "--baseline", "5");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = JsonParser.parseString(readString(out.resolve("faithfulness.json"))).getAsJsonObject();
        assertEquals("id:5", json.get("baseline").getAsString());
        assertEquals(5, json.get("baseline_id").getAsInt());
        assertEquals("probability", json.get("score").getAsString());
        int tokens = Fixtures.inputIds("gpt2_f32").length;
        assertEquals(tokens, json.get("steps").getAsInt(), "one step per token up to 32");
        JsonArray methods = json.getAsJsonArray("methods");
        assertEquals(5, methods.size());
        try (var model = headwise.engine.load.ModelLoader.load(MODEL)) {
            var input = headwise.engine.run.ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            var prepared = headwise.engine.analysis.relevance.Relevance.prepare(model, input, null, null);
            var map = headwise.engine.analysis.relevance.Relevance.compute(model, prepared,
                    headwise.engine.analysis.relevance.RelevanceMethod.ATTN_LRP);
            var direct = headwise.engine.analysis.relevance.Faithfulness.compute(model, input, map,
                    headwise.engine.analysis.relevance.FaithfulnessBaseline.token(5));
            JsonObject attn = methods.get(1).getAsJsonObject();
            assertEquals("attnlrp", attn.get("method").getAsString());
            assertEquals(direct.deletionArea(), attn.get("deletion_auc").getAsDouble(), 1e-12);
            assertEquals(direct.insertionArea(), attn.get("insertion_auc").getAsDouble(), 1e-12);
            JsonArray deletion = attn.getAsJsonArray("deletion");
            assertEquals(tokens + 1, deletion.size());
            for (int s = 0; s <= tokens; s++) {
                assertEquals(direct.deletion()[s], deletion.get(s).getAsDouble(), 1e-12);
                assertEquals(direct.insertion()[s], attn.getAsJsonArray("insertion").get(s).getAsDouble(), 1e-12);
            }
        }
        assertTrue(Files.exists(out.resolve("relevance-cp-lrp.npy")), "the maps it followed are written too");
    }

    @Test
    void exportDrawsTheFaithfulnessChart(@TempDir Path out) throws Exception {
        Path png = out.resolve("f.png");
        CliTestSupport.Run run = CliTestSupport.run("export", "--model", MODEL, "--ids", ids(), "--view", "faithfulness",
                "--baseline", "3", "--out", png.toString());
        assertEquals(0, run.exitCode(), run.err());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertTrue(image.getWidth() > 400 && image.getHeight() > 200, image.getWidth() + "x" + image.getHeight());
        CliTestSupport.Run bad = CliTestSupport.run("export", "--model", MODEL, "--ids", ids(), "--view", "relevance",
                "--baseline", "3", "--out", png.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--baseline applies to --view faithfulness"), bad.err());
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void badTargetsAreOneLine(@TempDir Path out) {
        String[][] cases = {
                {"--relevance", "cp-lrp", "--target", "500"},
                {"--relevance", "cp-lrp", "--position", "40"},
                {"--relevance", "lrp"},
                {"--target", "3"},
                {"--faithfulness", "--baseline", "mask"},
                {"--faithfulness", "--baseline", "97"},
                {"--relevance", "cp-lrp", "--baseline", "3"},
        };
        String[] expected = {
                "target id 500 is outside the vocabulary (97 tokens)",
                "position 40 is outside the input (0..11)",
                "unknown relevance method 'lrp'",
                "--target and --position need --relevance",
                "baseline 'mask' is not offered by this model: expected id:0 or a token id",
                "baseline id 97 is outside the vocabulary (97 tokens)",
                "--baseline needs --faithfulness",
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
