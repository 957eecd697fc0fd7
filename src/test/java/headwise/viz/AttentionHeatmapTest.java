package headwise.viz;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionHeatmapTest {

    /** Every query puts weight on the first token (a sink) and on itself, a little on the rest; rows sum to 1. */
    static float[] sinkAndDiagonal(int length) {
        float[] m = new float[length * length];
        for (int q = 0; q < length; q++) {
            float rest = 0.1f / length;
            for (int k = 0; k < length; k++) {
                m[q * length + k] = rest;
            }
            m[q * length] += 0.3f;
            m[q * length + q] += 0.6f;
        }
        return m;
    }

    @Test
    void viridisRunsFromPurpleToYellow() {
        assertEquals(0xFF440154, ColorScale.argb(0));
        assertEquals(0xFF21918C, ColorScale.argb(0.5));
        assertEquals(0xFFFDE725, ColorScale.argb(1));
        assertEquals(ColorScale.argb(1), ColorScale.argb(3, 3));
        assertEquals(ColorScale.argb(0), ColorScale.argb(-1), "clamped");
        assertEquals(ColorScale.argb(0), ColorScale.argb(0.5, 0), "no max: everything lowest");
        assertEquals(ColorScale.NAN_ARGB, ColorScale.argb(Double.NaN));
        for (int i = 1; i < ColorScale.SIZE; i++) {
            assertTrue(luminance(ColorScale.entry(i)) >= luminance(ColorScale.entry(i - 1)) - 0.5, "sequential at " + i);
        }
    }

    @Test
    void cellsUseTheScaleFromZeroToMax() {
        int length = 4;
        float[] m = new float[length * length];
        m[1 * length + 2] = 2f;
        m[3 * length + 0] = 1f;
        int cell = 3;
        int side = length * cell;
        int[] argb = AttentionHeatmap.cells(m, length, cell);
        assertEquals(side * side, argb.length);
        for (int dy = 0; dy < cell; dy++) {
            for (int dx = 0; dx < cell; dx++) {
                assertEquals(ColorScale.argb(1), argb[(1 * cell + dy) * side + 2 * cell + dx], "query 1, key 2 is the max");
            }
        }
        assertEquals(ColorScale.argb(0.5), argb[(3 * cell + 1) * side + 1], "query 3, key 0 is half the max");
        assertEquals(ColorScale.argb(0), argb[0]);
    }

    @Test
    void rendersALabelledFigure() throws Exception {
        String[] tokens = "[CLS] the cat sat on the mat because it was tired . [SEP]".split(" ");
        int length = tokens.length;
        float[] m = sinkAndDiagonal(length);
        m[4 * length + 2] = 0.95f; // "on" looks back at "cat": the strongest cell
        BufferedImage image = AttentionHeatmap.render(m, length, tokens, "synthetic · layer 0, head 3");
        Path out = Path.of("target", "screenshots");
        Files.createDirectories(out);
        ImageIO.write(image, "png", new File(out.toFile(), "heatmap-synthetic.png"));

        AttentionHeatmap.Layout layout = AttentionHeatmap.layout(length, tokens, "synthetic · layer 0, head 3");
        assertEquals(layout.width(), image.getWidth());
        assertEquals(layout.height(), image.getHeight());
        assertEquals(AttentionHeatmap.MAX_CELL, layout.cellSize());
        assertTrue(layout.labelled());
        assertTrue(image.getWidth() > length * layout.cellSize() + 100 && image.getHeight() > length * layout.cellSize() + 50);

        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 100, "not blank: " + colours.size() + " colours");

        assertEquals(ColorScale.argb(1), image.getRGB(layout.centreX(2), layout.centreY(4)), "strongest cell has the max colour");
        assertEquals(ColorScale.argb(m[7 * length + 7], 0.95), image.getRGB(layout.centreX(7), layout.centreY(7)), "diagonal");
        assertEquals(ColorScale.argb(1), image.getRGB(layout.legendX() + 5, layout.heatmapY()), "legend top is the max");
        assertEquals(ColorScale.argb(0), image.getRGB(layout.legendX() + 5, layout.heatmapY() + layout.legendHeight() - 1));
        assertEquals(0xFFFFFFFF, image.getRGB(1, image.getHeight() - 2), "white background");
        assertTrue(hasText(image, 0, layout.heatmapY(), layout.heatmapX() - 2, layout.side()), "query labels on the left");
        assertTrue(hasText(image, layout.heatmapX(), 0, layout.side(), layout.heatmapY() - 2), "key labels on top");

        assertTrue(java.util.Arrays.equals(new int[] {4, 2}, layout.cellAt(layout.centreX(2), layout.centreY(4))));
        assertNull(layout.cellAt(layout.heatmapX() - 1, layout.heatmapY()));
        assertNull(layout.cellAt(layout.heatmapX() + layout.side(), layout.heatmapY()));
    }

    @Test
    void manyTokensDropLabelsAndShrinkCells() throws Exception {
        int length = 300;
        BufferedImage image = AttentionHeatmap.render(sinkAndDiagonal(length), length, null, "300 tokens");
        AttentionHeatmap.Layout layout = AttentionHeatmap.layout(length, null, "300 tokens");
        assertEquals(2, layout.cellSize());
        assertFalse(layout.labelled(), "2-pixel cells get no labels");
        assertEquals(ColorScale.argb(1), image.getRGB(layout.centreX(0), layout.centreY(0)));
        ImageIO.write(image, "png", new File(Files.createDirectories(Path.of("target", "screenshots")).toFile(),
                "heatmap-300-tokens.png"));

        AttentionHeatmap.Layout medium = AttentionHeatmap.layout(80, null, null);
        assertEquals(8, medium.cellSize());
        assertTrue(medium.labelled());
        assertTrue(AttentionHeatmap.labelFont(8).getSize() < AttentionHeatmap.labelFont(40).getSize(), "smaller font for more tokens");
    }

    @Test
    void shortensLongTokensAndShowsControlCharacters() {
        assertEquals("abcdefghijklm…", AttentionHeatmap.shorten("abcdefghijklmnopqrstuvwxyz"));
        assertEquals("abcdefghijklmn", AttentionHeatmap.shorten("abcdefghijklmn"));
        assertEquals("a\\nb", AttentionHeatmap.shorten("a\nb"));
        assertEquals("\u2423", AttentionHeatmap.shorten(" "));
        assertEquals("\u21B5", AttentionHeatmap.shorten("\n"));
    }

    @Test
    void rejectsMismatchedInput() {
        assertThrows(IllegalArgumentException.class, () -> AttentionHeatmap.render(new float[4], 3, null, "t"));
        assertThrows(IllegalArgumentException.class, () -> AttentionHeatmap.render(new float[4], 2, new String[3], "t"));
    }

    @Test
    void allZeroMatrixIsDrawnInTheLowestColour() {
        BufferedImage image = AttentionHeatmap.render(new float[9], 3, new String[] {"a", "b", "c"}, null);
        AttentionHeatmap.Layout layout = AttentionHeatmap.layout(3, null, null);
        assertEquals(ColorScale.argb(0), image.getRGB(layout.centreX(1), layout.centreY(1)));
        assertNotEquals(0, image.getWidth());
    }

    private static boolean hasText(BufferedImage image, int x0, int y0, int width, int height) {
        int dark = 0;
        for (int y = Math.max(0, y0); y < y0 + height; y++) {
            for (int x = Math.max(0, x0); x < x0 + width; x++) {
                if (luminance(image.getRGB(x, y)) < 100) {
                    dark++;
                }
            }
        }
        return dark > 50;
    }

    private static double luminance(int argb) {
        return 0.2126 * ((argb >> 16) & 0xFF) + 0.7152 * ((argb >> 8) & 0xFF) + 0.0722 * (argb & 0xFF);
    }
}
