package headwise.app.cli;

import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import headwise.viz.FigureChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code export}: one view or one data file, headless, on the bundled model and on the fixtures. */
class ExportCommandTest {

    static final String TEXT = "The cat sat on the mat.";

    static String ids(String fixture) {
        return String.join(",", Arrays.stream(Fixtures.inputIds(fixture)).mapToObj(Integer::toString).toList());
    }

    static CliTestSupport.Run exportBundled(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "--model", "all-MiniLM-L6-v2", "--text", TEXT,
                "--out", out.toString()));
        args.addAll(List.of(more));
        return CliTestSupport.run(args.toArray(String[]::new));
    }

    @Test
    void heatmapOnTheBundledModelInAllFormatsWithTokenLabels(@TempDir Path dir) throws Exception {
        for (String format : new String[] {"png", "svg", "pdf"}) {
            Path out = dir.resolve("heatmap." + format);
            CliTestSupport.Run run = exportBundled(out, "--view", "heatmap", "--layer", "2", "--head", "3");
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains("heatmap (" + format + ")"), run.out());
        }
        byte[] png = Files.readAllBytes(dir.resolve("heatmap.png"));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(FigureChecks.colours(image) > 20, "not blank");
        List<String> texts = FigureChecks.texts(FigureChecks.checkSvg(Files.readAllBytes(dir.resolve("heatmap.svg")), "cat", "mat", "[CLS]"));
        assertTrue(texts.stream().anyMatch(t -> t.contains("layer 2, head 3")), texts.toString());
        String pdf = new String(Files.readAllBytes(dir.resolve("heatmap.pdf")), StandardCharsets.ISO_8859_1);
        FigureChecks.checkPdf(pdf.getBytes(StandardCharsets.ISO_8859_1), image.getWidth(), image.getHeight());

        Path again = dir.resolve("again.svg");
        assertEquals(0, exportBundled(again, "--view", "heatmap", "--layer", "2", "--head", "3").exitCode());
        assertArrayEquals(Files.readAllBytes(dir.resolve("heatmap.svg")), Files.readAllBytes(again), "same bytes for the same input");
    }

    @Test
    void pngScaleFromDpiAndLogScale(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("h.png");
        CliTestSupport.Run run = exportBundled(out, "--view", "heatmap", "--dpi", "144", "--log");
        assertEquals(0, run.exitCode(), run.err());
        Path svg = dir.resolve("h.svg");
        assertEquals(0, exportBundled(svg, "--view", "heatmap", "--log").exitCode());
        List<String> texts = FigureChecks.texts(FigureChecks.checkSvg(Files.readAllBytes(svg)));
        assertTrue(texts.contains("attention (log10)"), texts.toString());
        BufferedImage image = ImageIO.read(out.toFile());
        String[] size = svgSize(Files.readString(svg));
        assertEquals(2 * Double.parseDouble(size[0]), image.getWidth(), 1);
        assertEquals(2 * Double.parseDouble(size[1]), image.getHeight(), 1);
    }

    private static String[] svgSize(String svg) {
        var m = java.util.regex.Pattern.compile("width='([0-9.]+)' height='([0-9.]+)'").matcher(svg);
        assertTrue(m.find());
        return new String[] {m.group(1), m.group(2)};
    }

    @Test
    void compareNeedsASecondInput(@TempDir Path dir) {
        CliTestSupport.Run missing = CliTestSupport.run("export", "--model", Fixtures.model("gpt2_f32").toString(), "--ids",
                ids("gpt2_f32"), "--view", "compare", "--out", dir.resolve("c.svg").toString());
        assertEquals(Cli.USER_ERROR, missing.exitCode());
        assertTrue(missing.err().contains("--compare-text"), missing.err());
    }

    @Test
    void causalFixtureByIdsAndAttentionData(@TempDir Path dir) throws Exception {
        String model = Fixtures.model("gpt2_f32").toString();
        Path pdf = dir.resolve("hv.pdf");
        CliTestSupport.Run run = CliTestSupport.run("export", "--model", model, "--ids", ids("gpt2_f32"), "--view", "head-view",
                "--head", "2", "--layer", "1", "--out", pdf.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(new String(Files.readAllBytes(pdf), StandardCharsets.ISO_8859_1).startsWith("%PDF-"));

        Path npz = dir.resolve("a.npz");
        run = CliTestSupport.run("export", "--model", model, "--ids", ids("gpt2_f32"), "--data", "attention", "--layers", "1,2",
                "--heads", "3", "--out", npz.toString());
        assertEquals(0, run.exitCode(), run.err());
        try (ZipFile zip = new ZipFile(npz.toFile())) {
            Path npy = dir.resolve("attention.npy");
            Files.write(npy, zip.getInputStream(zip.getEntry("attention.npy")).readAllBytes());
            int t = Fixtures.inputIds("gpt2_f32").length;
            assertArrayEquals(new long[] {2, 1, t, t}, Npy.read(npy).shape());
        }
        Path csv = dir.resolve("tokens.csv");
        run = CliTestSupport.run("export", "--model", model, "--ids", ids("gpt2_f32"), "--data", "tokens", "--out", csv.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1 + Fixtures.inputIds("gpt2_f32").length, Files.readAllLines(csv).size());
    }

    @Test
    void vitOverlayFromAnImage(@TempDir Path dir) throws Exception {
        String model = Fixtures.model("vit_f32").toString();
        String image = Fixtures.model("vit_f32").resolve("reference/image.png").toString();
        for (String format : new String[] {"png", "svg", "pdf"}) {
            Path out = dir.resolve("vit." + format);
            CliTestSupport.Run run = CliTestSupport.run("export", "--model", model, "--image", image, "--view", "vit-overlay",
                    "--layer", "1", "--head", "0", "--out", out.toString());
            assertEquals(0, run.exitCode(), run.err());
        }
        BufferedImage png = ImageIO.read(dir.resolve("vit.png").toFile());
        assertTrue(FigureChecks.colours(png) > 100);
        FigureChecks.checkPdf(Files.readAllBytes(dir.resolve("vit.pdf")), png.getWidth(), png.getHeight());
        List<String> texts = FigureChecks.texts(FigureChecks.checkSvg(Files.readAllBytes(dir.resolve("vit.svg"))));
        assertTrue(texts.stream().anyMatch(t -> t.contains("[CLS]")), texts.toString());
        CliTestSupport.Run text = CliTestSupport.run("export", "--model", "all-MiniLM-L6-v2", "--text", TEXT, "--view", "vit-overlay",
                "--out", dir.resolve("x.png").toString());
        assertEquals(Cli.USER_ERROR, text.exitCode());
        assertTrue(text.err().contains("image"), text.err());
    }

    @Test
    void badRequestsAreOneLineErrors(@TempDir Path dir) {
        String model = Fixtures.model("gpt2_f32").toString();
        String[][] cases = {
            {"--view", "pie", "--out", dir.resolve("a.png").toString()},
            {"--view", "heatmap", "--out", dir.resolve("a.gif").toString()},
            {"--view", "heatmap", "--data", "attention", "--out", dir.resolve("a.png").toString()},
            {"--view", "heatmap", "--layer", "7", "--out", dir.resolve("a.png").toString()},
            {"--data", "tokens", "--format", "npy", "--out", dir.resolve("t.npy").toString()},
            {"--view", "heatmap", "--scale", "0", "--out", dir.resolve("a.png").toString()}};
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("export", "--model", model, "--ids", ids("gpt2_f32")));
            args.addAll(List.of(c));
            CliTestSupport.Run run = CliTestSupport.run(args.toArray(String[]::new));
            assertEquals(Cli.USER_ERROR, run.exitCode(), String.join(" ", c) + ": " + run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
        }
    }
}
