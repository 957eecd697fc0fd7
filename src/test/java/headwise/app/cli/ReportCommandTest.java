package headwise.app.cli;

import headwise.engine.npy.Npy;
import headwise.viz.FigureChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code report} on the bundled model: every view in all three formats, every data file, index.html. */
class ReportCommandTest {

    /** Views drawn from a text input (vit-overlay needs an image). */
    static final List<String> TEXT_VIEWS = List.of("model-view", "heatmap", "head-view", "flow", "importance", "layers", "sinks",
            "compare");
    /** Views whose SVG shows the tokens as labels. */
    static final List<String> TOKEN_VIEWS = List.of("heatmap", "head-view", "flow", "sinks", "compare");

    @Test
    void writesEveryViewAndDataFileOfTheBundledModel(@TempDir Path out) throws Exception {
        CliTestSupport.Run run = CliTestSupport.run("report", "--model", "all-MiniLM-L6-v2", "--text", "The cat sat on the mat.",
                "--compare-text", "The dog sat on the rug.", "--layer", "2", "--head", "3", "--scale", "2", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("skipped vit-overlay"), run.out());
        assertFalse(run.out().contains("Added differentiated op"), "SameDiff's chatter is kept off the console");
        Path figures = out.resolve("figures");
        for (String view : TEXT_VIEWS) {
            BufferedImage png = ImageIO.read(figures.resolve(view + ".png").toFile());
            assertTrue(FigureChecks.colours(png) > 20, view + ".png is not blank");
            assertEquals(0, png.getWidth() % 2, "scale 2");
            String[] labels = TOKEN_VIEWS.contains(view) ? new String[] {"cat", "mat"} : new String[0];
            FigureChecks.checkSvg(Files.readAllBytes(figures.resolve(view + ".svg")), labels);
            FigureChecks.checkPdf(Files.readAllBytes(figures.resolve(view + ".pdf")), png.getWidth() / 2, png.getHeight() / 2);
        }
        Path data = out.resolve("data");
        long[] shape = Npy.read(data.resolve("attention.npy")).shape();
        assertArrayEquals(new long[] {6, 12, 9, 9}, shape, "[CLS] the cat sat on the mat . [SEP]");
        assertArrayEquals(new long[] {9, 384}, Npy.read(data.resolve("output.npy")).shape());
        for (String file : List.of("attention.npz", "tokens.csv", "tokens.json", "metrics.json", "metrics_heads.csv", "metrics_layers.csv",
                "flow.json", "flow.graphml")) {
            assertTrue(Files.size(data.resolve(file)) > 0, file);
        }
        assertEquals(1 + 6 * 12, Files.readAllLines(data.resolve("metrics_heads.csv")).size());
        String index = Files.readString(out.resolve("index.html"));
        for (String view : TEXT_VIEWS) {
            assertTrue(index.contains("figures/" + view + ".svg"), view);
        }
    }
}
