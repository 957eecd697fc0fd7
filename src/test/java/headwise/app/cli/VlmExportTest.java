package headwise.app.cli;

import headwise.engine.Fixtures;
import headwise.viz.FigureChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code export --view vlm-…} on the tiny LLaVAs: text (or ids) joined with --image, every VLM figure written
 * (PNG and SVG with the texts it must hold, copied to target/screenshots/export-vlm-*), and one-line refusals for
 * a text model and for a LLaVA without --image.
 */
class VlmExportTest {

    @TempDir
    Path temp;

    private CliTestSupport.Run export(String fixture, String view, Path out, String... input) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "--model", Fixtures.model(fixture).toString(), "--view", view,
                "--out", out.toString()));
        args.addAll(Arrays.asList(input));
        return CliTestSupport.run(args.toArray(String[]::new));
    }

    private static String ids(String fixture) {
        return Arrays.stream(Fixtures.inputIds(fixture)).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String image(String fixture) {
        return Fixtures.model(fixture).resolve("reference/image.png").toString();
    }

    @Test
    void everyVlmViewIsWrittenForTextWithAnImage() throws Exception {
        String[][] views = {
                {"vlm-shares", "image keys"},
                {"vlm-overlay", "attention"},
                {"vlm-vhd", "VHD"},
                {"vlm-pruning", "fraction of image tokens kept"}};
        for (String[] view : views) {
            Path png = temp.resolve(view[0] + ".png");
            CliTestSupport.Run run = export("llava_clip_f32", view[0], png, "--text", "hello <image> world", "--image", image("llava_clip_f32"));
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains(view[0]), run.out());
            BufferedImage picture = javax.imageio.ImageIO.read(png.toFile());
            assertTrue(picture.getWidth() > 200 && picture.getHeight() > 150 && FigureChecks.colours(picture) > 8, view[0]);
            Files.createDirectories(FigureChecks.SCREENSHOTS);
            Files.copy(png, FigureChecks.SCREENSHOTS.resolve("export-" + view[0] + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            Path svg = temp.resolve(view[0] + ".svg");
            assertEquals(0, export("llava_siglip_f32", view[0], svg, "--ids", ids("llava_siglip_f32"), "--image", image("llava_siglip_f32")).exitCode());
            FigureChecks.checkSvg(Files.readAllBytes(svg), view[1]);
        }
    }

    @Test
    void theModelViewAndTheHeatmapExportWithKeysByClass() throws Exception {
        for (String view : new String[] {"model-view", "heatmap"}) {
            Path svg = temp.resolve(view + "-classes.svg");
            CliTestSupport.Run run = export("llava_clip_f32", view, svg, "--text", "hello <image> world", "--image", image("llava_clip_f32"),
                    "--keys", "classes", "--layer", "1", "--head", "1");
            assertEquals(0, run.exitCode(), run.err() + run.out());
            String text = Files.readString(svg);
            assertTrue(text.contains("keys by class"), view + " is titled by its grouping");
            FigureChecks.checkSvg(Files.readAllBytes(svg), "image", "text");
            Path png = FigureChecks.SCREENSHOTS.resolve("export-" + view + "-classes.png");
            Files.createDirectories(FigureChecks.SCREENSHOTS);
            assertEquals(0, export("llava_clip_f32", view, png, "--text", "hello <image> world", "--image", image("llava_clip_f32"),
                    "--keys", "classes").exitCode());
        }
        CliTestSupport.Run text = export("gpt2_f32", "model-view", temp.resolve("t.png"), "--ids", "1,2,3", "--keys", "classes");
        assertEquals(1, text.err().strip().lines().count(), text.err());
        assertTrue(text.err().contains("text-only model"), text.err());
        CliTestSupport.Run flow = export("llava_clip_f32", "sinks", temp.resolve("s.png"), "--text", "hello <image>", "--image",
                image("llava_clip_f32"), "--keys", "classes");
        assertTrue(flow.err().contains("--keys classes applies to --view model-view and --view heatmap"), flow.err());
        CliTestSupport.Run bad = export("llava_clip_f32", "heatmap", temp.resolve("b.png"), "--text", "hello <image>", "--image",
                image("llava_clip_f32"), "--keys", "kinds");
        assertTrue(bad.err().contains("--keys: use position or classes"), bad.err());
    }

    @Test
    void refusesATextModelAndALlavaWithoutAnImageInOneLine() {
        CliTestSupport.Run text = export("gpt2_f32", "vlm-shares", temp.resolve("x.png"), "--text", "hello");
        assertEquals(1, text.err().strip().lines().count(), text.err());
        assertTrue(text.err().contains("needs a vision-language model"), text.err());
        CliTestSupport.Run noImage = export("llava_clip_f32", "vlm-vhd", temp.resolve("y.png"), "--text", "hello <image>");
        assertEquals(1, noImage.err().strip().lines().count(), noImage.err());
        assertTrue(noImage.err().contains("--image"), noImage.err());
    }
}
