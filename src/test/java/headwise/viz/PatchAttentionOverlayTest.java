package headwise.viz;

import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ViT patch-attention picture, drawn from a real run of the vit_f32 fixture. */
class PatchAttentionOverlayTest {

    @Test
    void rendersClsAttentionOverThePatches() throws Exception {
        Picture p = picture("vit_f32", false, "vit-patch-attention.png");
        PatchAttentionOverlay.Layout layout = p.layout;
        BufferedImage image = p.image;
        assertEquals(layout.width(), image.getWidth());
        assertEquals(layout.height(), image.getHeight());
        assertEquals(12.0, layout.scale(), "32 pixels upscaled x12");
        assertEquals(384, layout.panelWidth());
        assertEquals(384, layout.panelHeight());
        assertTrue(image.getWidth() > 2 * 384 && image.getHeight() > 384);
        checkPixels(p);
    }

    /** A kept 48x40 image: a 5x6 grid with interpolated positions. */
    @Test
    void rendersANonSquareGrid() throws Exception {
        Picture p = picture("vit_interp_f32", false, "vit-patch-attention-interp.png");
        assertEquals(new PatchGrid(5, 6, 8, 1), p.grid);
        assertEquals(8.0, p.layout.scale());
        assertEquals(384, p.layout.panelWidth());
        assertEquals(320, p.layout.panelHeight());
        checkPixels(p);
    }

    @Test
    void deitCaptionCountsTheDistillationToken() throws Exception {
        Picture p = picture("deit_distilled_f32", true, null);
        assertEquals(2, p.grid.specialTokens());
        checkPixels(p);
    }

    @Test
    void scalesAndRefusesMismatchedRows() {
        assertEquals(12.0, PatchAttentionOverlay.scaleFor(32, 32));
        assertEquals(2.0, PatchAttentionOverlay.scaleFor(224, 224));
        assertEquals(1.0, PatchAttentionOverlay.scaleFor(384, 384));
        assertEquals(768.0 / 1000, PatchAttentionOverlay.scaleFor(1000, 500));
        assertEquals(3.0, PatchAttentionOverlay.scaleFor(200, 100), "shorter side to 300, longer 600");
        assertEquals("<0.1%", PatchAttentionOverlay.percent(0.0001));
        assertEquals("0.0%", PatchAttentionOverlay.percent(0));
        assertEquals("34.4%", PatchAttentionOverlay.percent(0.3441));
        assertEquals(">99.9%", PatchAttentionOverlay.percent(0.9999));
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        assertThrows(IllegalArgumentException.class, () -> PatchAttentionOverlay.render(img, new float[5], 1, 2, 3, null));
    }

    private record Picture(BufferedImage image, PatchAttentionOverlay.Layout layout, PixelImage seen, PatchGrid grid,
                           float[] row) {
    }

    /**
     * Runs the fixture and draws the head whose CLS attention is spread most evenly over the patches (highest
     * entropy), so the picture shows the colour scale's gradation rather than one bright patch.
     */
    private static Picture picture(String fixture, boolean firstHead, String file) throws Exception {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromImage(model, ImageFiles.read(Fixtures.model(fixture).resolve("reference/image.png")));
            AnalysisResult result = Analyzer.analyze(model, input);
            PatchGrid grid = input.grid();
            int length = input.length();
            int bestLayer = 0;
            int bestHead = 0;
            double bestEntropy = -1;
            for (int layer = 0; layer < model.spec().layers() && !firstHead; layer++) {
                for (int head = 0; head < model.spec().heads(); head++) {
                    double sum = 0;
                    for (int k = grid.specialTokens(); k < length; k++) {
                        sum += result.attention().get(layer, head, 0, k);
                    }
                    double entropy = 0;
                    for (int k = grid.specialTokens(); k < length; k++) {
                        double q = result.attention().get(layer, head, 0, k) / sum;
                        entropy -= q > 0 ? q * Math.log(q) : 0;
                    }
                    if (entropy > bestEntropy) {
                        bestEntropy = entropy;
                        bestLayer = layer;
                        bestHead = head;
                    }
                }
            }
            int layer = bestLayer;
            float[] row = new float[length];
            System.arraycopy(result.attention().head(layer, bestHead), 0, row, 0, length); // query 0 = CLS
            PixelImage seen = input.image().seen();
            BufferedImage source = PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(), seen.samples());
            String title = fixture + " \u00B7 layer " + layer + ", head " + bestHead + " \u00B7 [CLS] attention over the patches";
            BufferedImage image = PatchAttentionOverlay.render(source, row, grid.specialTokens(), grid.rows(), grid.cols(), title);
            if (file != null) {
                ImageIO.write(image, "png", new File(Files.createDirectories(Path.of("target", "screenshots")).toFile(), file));
            }
            return new Picture(image, PatchAttentionOverlay.layout(seen.width(), seen.height(), grid.rows(), grid.cols(), title),
                    seen, grid, row);
        }
    }

    private static void checkPixels(Picture p) {
        BufferedImage image = p.image;
        PatchAttentionOverlay.Layout layout = p.layout;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 500, "not blank: " + colours.size() + " colours");
        assertEquals(0xFFFFFFFF, image.getRGB(1, image.getHeight() - 2), "white background");

        BufferedImage source = PatchAttentionOverlay.rgbImage(p.seen.width(), p.seen.height(), p.seen.channels(), p.seen.samples());
        int scale = (int) layout.scale();
        // the left panel is the image, upscaled by nearest neighbour
        for (int[] xy : new int[][] {{0, 0}, {5, 7}, {p.seen.width() - 1, p.seen.height() - 1}}) {
            assertEquals(source.getRGB(xy[0], xy[1]), image.getRGB(layout.imageX() + xy[0] * scale + scale / 2,
                    layout.panelY() + xy[1] * scale + scale / 2), "image pixel " + xy[0] + "," + xy[1]);
        }
        // each patch's centre: the image, in grey, under the patch's viridis colour
        PatchGrid grid = p.grid;
        float max = 0;
        for (int k = grid.specialTokens(); k < p.row.length; k++) {
            max = Math.max(max, p.row[k]);
        }
        for (int r = 0; r < grid.rows(); r++) {
            for (int c = 0; c < grid.cols(); c++) {
                int[] centre = layout.overlayCentre(r, c);
                int under = source.getRGB((centre[0] - layout.overlayX()) / scale, (centre[1] - layout.panelY()) / scale);
                int expected = PatchAttentionOverlay.blend(PatchAttentionOverlay.grey(under), ColorScale.argb(p.row[grid.token(r, c)], max),
                        PatchAttentionOverlay.OVERLAY_ALPHA);
                assertEquals(expected, image.getRGB(centre[0], centre[1]), "patch " + r + "," + c);
            }
        }
        assertEquals(ColorScale.argb(1), image.getRGB(layout.legendX() + 5, layout.panelY()), "legend top is the max");
        assertEquals(ColorScale.argb(0), image.getRGB(layout.legendX() + 5, layout.panelY() + layout.panelHeight() - 1));
    }
}
