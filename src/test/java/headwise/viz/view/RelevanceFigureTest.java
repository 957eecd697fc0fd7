package headwise.viz.view;

import org.junit.jupiter.api.Test;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed relevance reads as red (supports) and blue (against); a non-finite map is named, not drawn. */
class RelevanceFigureTest {

    @Test
    void positiveIsRedNegativeIsBlue() {
        int[] onlyPositive = strongColours(new double[] {1, 0.5, 0.25});
        assertTrue(onlyPositive[0] > 100, "red boxes and bars");
        assertEquals(0, onlyPositive[1], "no blue without negative relevance");
        int[] mixed = strongColours(new double[] {1, -1, 0});
        assertTrue(mixed[0] > 100 && mixed[1] > 100, "both signs drawn");
    }

    @Test
    void nonFiniteMapsAreNotDrawn() {
        int[] colours = strongColours(new double[] {1, Double.POSITIVE_INFINITY, -1});
        assertEquals(0, colours[0]);
        assertEquals(0, colours[1]);
    }

    @Test
    void vitMapsTintThePatches() {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        RelevanceFigure f = new RelevanceFigure("t", "c", null,
                List.of(new RelevanceFigure.Map("cp-lrp", "sum 1", new double[] {0.5, 1, -1, 0, 0})),
                new RelevanceFigure.Image(image, 1, 2, 2));
        int[] colours = count(f);
        assertTrue(colours[0] > 1000 && colours[1] > 1000, "a red and a blue patch of 128 x 128 pixels");
    }

    /** [pixels clearly red, pixels clearly blue] of a one-map figure over three tokens. */
    private static int[] strongColours(double[] values) {
        return count(new RelevanceFigure("t", "c", new String[] {"a", "b", "c"},
                List.of(new RelevanceFigure.Map("m", "note", values)), null));
    }

    private static int[] count(RelevanceFigure f) {
        BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        f.draw(g);
        g.dispose();
        int red = 0;
        int blue = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int r = p >> 16 & 0xFF;
                int b = p & 0xFF;
                if (r - b > 60) {
                    red++;
                } else if (b - r > 60) {
                    blue++;
                }
            }
        }
        return new int[] {red, blue};
    }
}
