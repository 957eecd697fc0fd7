package headwise.viz.vlm;

import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import headwise.engine.vlm.analysis.KeyClassMaps;
import headwise.viz.ColorScale;
import headwise.viz.FigureChecks;
import headwise.viz.FigurePixels;
import headwise.viz.view.HeadMarks;
import headwise.viz.view.MatrixFigure;
import headwise.viz.view.ModelThumbnails;
import headwise.viz.view.ModelViewFigure;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "keys by class" figures on hand-made heads whose class sums are known: the model view's thumbnails are the
 * queries × classes maps (pixel colours checked against the sums), their readouts give the query, the class and the
 * share, the layer bars read the layer's mean shares, and the Head page's map reads each cell. Written to
 * target/screenshots/keys-by-class-*.{png,svg,pdf}.
 */
class KeyClassFiguresTest {

    /** SYSTEM, TEXT, IMAGE ×4 (a 2×2 grid), TEXT. */
    private static final TokenClasses SEVEN = new TokenClasses(new TokenClass[] {TokenClass.SYSTEM, TokenClass.TEXT, TokenClass.IMAGE,
            TokenClass.IMAGE, TokenClass.IMAGE, TokenClass.IMAGE, TokenClass.TEXT}, 2, 2, 2);
    private static final String[] TOKENS = {"<s>", "look", "<image>", "<image>", "<image>", "<image>", "cat"};

    /**
     * Two layers × two heads over 7 keys: layer 0 head 0 all on the first key (system), head 1 all on the image; layer 1
     * head 0 spread evenly over the keys it can see, head 1 all on the query itself.
     */
    private static AttentionMaps maps() {
        int t = 7;
        float[] a = new float[2 * 2 * t * t];
        for (int q = 0; q < t; q++) {
            a[(0 * t + q) * t] = 1;
            for (int k = 2; k < 6; k++) {
                a[((1) * t + q) * t + k] = 0.25f;
            }
            for (int k = 0; k <= q; k++) {
                a[((2) * t + q) * t + k] = 1f / (q + 1);
            }
            a[((3) * t + q) * t + q] = 1;
        }
        return new AttentionMaps(2, 2, t, a);
    }

    @Test
    void theModelViewsThumbnailsAreEachHeadsQueriesByClassesMap() throws Exception {
        AttentionMaps attention = maps();
        KeyClassMaps m = KeyClassMaps.of(attention, SEVEN);
        assertEquals(3, m.classes(), "system, text, image");
        ModelThumbnails plain = ModelThumbnails.of(attention);
        ModelViewFigure f = KeyClassFigures.modelView(m, plain, TOKENS, "keys by class", HeadMarks.none());
        BufferedImage image = FigurePixels.render(f);
        int size = f.thumbnailSize();
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 2; h++) {
                double[] corner = f.thumbnailCorner(l, h);
                for (int c = 0; c < 3; c++) {
                    int x = (int) corner[0] + (2 * c + 1) * size / 6; // the middle of class column c
                    int y = (int) corner[1] + size * 13 / 14; // inside the last query's row
                    double expected = m.at(l, h, 6, c);
                    assertEquals(ColorScale.argb(expected, 1.0), image.getRGB(x, y), "layer " + l + " head " + h + " class " + c);
                    String readout = f.readout(x + 0.5, y + 0.5);
                    String name = new String[] {"system", "text", "image"}[c];
                    assertTrue(readout.startsWith("layer " + l + ", head " + h + " \u00B7 query 6 \u201Ccat\u201D \u2192 " + name + " keys "
                            + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * expected)), readout);
                }
            }
        }
        // the known sums: head (0, 0) gives everything to system, (0, 1) to the image, (1, 1)'s last row to text
        assertEquals(1, m.at(0, 0, 6, 0), 1e-6);
        assertEquals(1, m.at(0, 1, 3, 2), 1e-6);
        assertEquals(1, m.at(1, 1, 6, 1), 1e-6);
        assertEquals(4 / 7.0, m.at(1, 0, 6, 2), 1e-6);
        double[] corner = f.thumbnailCorner(0, 1);
        assertTrue(f.readout(corner[0] + 1, corner[1] + 1).endsWith("head: system 0.0% \u00B7 text 0.0% \u00B7 image 100.0% \u00B7 click to open"),
                f.readout(corner[0] + 1, corner[1] + 1));
        // the layer's bar right of its row: layer 0 is half system, half image
        double[] last = f.thumbnailCorner(0, 1);
        String bar = f.readout(last[0] + size + KeyClassFigures.STRIP / 2, last[1] + size / 2.0);
        assertEquals("layer 0 \u00B7 mean over heads and queries: system 50.0% \u00B7 text 0.0% \u00B7 image 50.0%", bar);
        assertNotEquals(0xFFFFFFFF, image.getRGB((int) (last[0] + size + 20), (int) (last[1] + size / 2.0)), "the bar is drawn");
        assertNull(f.readout(1, 1));
        FigureChecks.writeAndCheck(f, "keys-by-class-model-view", "system", "image");
    }

    @Test
    void theHeadMapReadsEveryCellAndItsMeanShares() throws Exception {
        float[] head = new float[49];
        maps().readRows(1, 0, (q, values, offset) -> System.arraycopy(values, offset, head, q * 7, 7));
        MatrixFigure f = KeyClassFigures.headMap(KeyClassMaps.ofHead(head, 7, SEVEN), TOKENS, "layer 1, head 0");
        assertEquals(7, f.rows());
        assertEquals(3, f.cols());
        var cells = f.cells(6, 7, 2, 3);
        assertEquals("query 6 \u201Ccat\u201D, image: 0.5714", f.readout(cells.getCenterX(), cells.getCenterY()));
        var first = f.cells(0, 1, 0, 1);
        assertEquals("query 0 \u201C<s>\u201D, system: 1.000", f.readout(first.getCenterX(), first.getCenterY()));
        FigureChecks.writeAndCheck(f, "keys-by-class-head", "system", "text", "image");
    }
}
