package headwise.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * analyze --relevance / --faithfulness and export --view relevance|faithfulness on a tiny LLaVA's text joined with
 * its image: the same files as for text, one value per joined position (the reference's numbers), and where the
 * image's grid lies.
 */
class JoinedRelevanceCliTest {

    private static final String FIXTURE = "llava_clip_f32";
    private static final String MODEL = Fixtures.model(FIXTURE).toString();
    private static final String IMAGE = Fixtures.model(FIXTURE).resolve("reference/image.png").toString();

    private static String ids() {
        return Arrays.stream(Fixtures.inputIds(FIXTURE)).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
    }

    @Test
    void analyzeWritesTheJoinedMapsAndCurves(@TempDir Path out) throws Exception {
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", MODEL, "--ids", ids(), "--image", IMAGE,
                "--out", out.toString(), "--relevance", "attnlrp", "--faithfulness", "--baseline", "5");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("relevance.json"))).getAsJsonObject();
        JsonObject image = json.getAsJsonObject("image");
        assertEquals(3, image.get("start").getAsInt()); // the image token's place; 'default' drops the tower's CLS
        assertEquals(4, image.get("rows").getAsInt());
        assertEquals(4, image.get("cols").getAsInt());

        JsonObject reference = JsonParser.parseString(Files.readString(Fixtures.model(FIXTURE).resolve("reference/relevance.json")))
                .getAsJsonObject().getAsJsonArray("targets").get(0).getAsJsonObject();
        assertEquals(reference.get("position").getAsInt(), json.get("position").getAsInt());
        assertEquals(reference.get("id").getAsInt(), json.get("target").getAsInt());
        JsonArray expected = reference.getAsJsonObject("methods").getAsJsonObject("attnlrp").getAsJsonArray("tokens");
        float[] written = Npy.read(out.resolve("relevance.npy")).values();
        assertEquals(6 + 16, written.length, "one value per joined position");
        for (int i = 0; i < written.length; i++) {
            assertEquals(expected.get(i).getAsDouble(), written[i], 1e-5, "position " + i);
        }

        JsonObject curves = JsonParser.parseString(Files.readString(out.resolve("faithfulness.json"))).getAsJsonObject();
        assertEquals("id:5", curves.get("baseline").getAsString());
        assertEquals(22, curves.get("steps").getAsInt(), "every joined position is a unit");
        JsonObject attnlrp = curves.getAsJsonArray("methods").get(0).getAsJsonObject();
        assertEquals(23, attnlrp.getAsJsonArray("deletion").size());
        assertTrue(Files.exists(out.resolve("vision_attention.npy")), "the vision-language files are still written");
    }

    @Test
    void exportDrawsTheJoinedRelevanceAndCurves(@TempDir Path out) throws Exception {
        for (String view : new String[] {"relevance", "faithfulness"}) {
            Path png = out.resolve(view + ".png");
            CliTestSupport.Run run = CliTestSupport.run("export", "--model", MODEL, "--ids", ids(), "--image", IMAGE,
                    "--view", view, "--out", png.toString());
            assertEquals(0, run.exitCode(), run.err());
            BufferedImage drawn = ImageIO.read(png.toFile());
            assertTrue(drawn.getWidth() > 400 && drawn.getHeight() > 200, view + " " + drawn.getWidth() + "x" + drawn.getHeight());
        }
    }
}
