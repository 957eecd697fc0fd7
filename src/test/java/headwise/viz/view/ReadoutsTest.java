package headwise.viz.view;

import headwise.engine.run.AttentionMaps;
import headwise.viz.corpus.AtlasFigure;
import headwise.viz.corpus.HeadStatsFigure;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import org.junit.jupiter.api.Test;

import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The value under the cursor on the head view (query, key, weight), the relevance text and bars (token, relevance), the
 * corpus map and the atlas (layer, head and their values).
 */
class ReadoutsTest {

    private static final String[] TOKENS = {"The", "cat", "sat", "down"};

    /** One layer, two heads, four tokens: head 0's query q attends 0.7 to key (q + 1) mod 4 and 0.1 to each other key. */
    private static AttentionMaps attention() {
        int t = TOKENS.length;
        float[] v = new float[2 * t * t];
        for (int h = 0; h < 2; h++) {
            for (int q = 0; q < t; q++) {
                for (int k = 0; k < t; k++) {
                    v[(h * t + q) * t + k] = h == 0 ? (k == (q + 1) % t ? 0.7f : 0.1f) : 0.25f;
                }
            }
        }
        return new AttentionMaps(1, 2, t, v);
    }

    @Test
    void theHeadViewReadsOutTheLineUnderTheCursor() {
        HeadViewFigure f = new HeadViewFigure(attention(), 0, new int[] {0}, TOKENS, "head view");
        for (double along : new double[] {0.1, 0.4, 0.9}) {
            for (int q = 0; q < TOKENS.length; q++) {
                int k = (q + 1) % TOKENS.length;
                Point2D p = f.linePoint(q, k, along);
                assertEquals("query " + q + " \u201C" + TOKENS[q] + "\u201D \u2192 key " + k + " \u201C" + TOKENS[k] + "\u201D: 0.7000",
                        f.readout(p.getX(), p.getY()), "at " + along + " of the line from " + q);
            }
        }
        // a weak line where no strong one crosses: the middle of query 0 → key 0
        Point2D weak = f.linePoint(0, 0, 0.5);
        assertEquals("query 0 \u201CThe\u201D \u2192 key 0 \u201CThe\u201D: 0.1000", f.readout(weak.getX(), weak.getY()));
        // over a query's label: its strongest key; over a key's label: its strongest query
        Point2D queryLabel = f.linePoint(2, 2, 0);
        assertTrue(f.readout(queryLabel.getX() - 3 * Style.GAP, queryLabel.getY()).startsWith("query 2 \u201Csat\u201D \u2192 key 3 \u201Cdown\u201D: 0.7000"));
        Point2D keyLabel = f.linePoint(1, 1, 1);
        assertTrue(f.readout(keyLabel.getX() + 3 * Style.GAP, keyLabel.getY()).startsWith("query 0 \u201CThe\u201D \u2192 key 1 \u201Ccat\u201D: 0.7000"));
        assertNull(f.readout(2, 2), "the title has nothing to read");

        HeadViewFigure both = new HeadViewFigure(attention(), 0, new int[] {0, 1}, TOKENS, "head view");
        Point2D p = both.linePoint(1, 2, 0.3);
        assertEquals("head 0: query 1 \u201Ccat\u201D \u2192 key 2 \u201Csat\u201D: 0.7000", both.readout(p.getX(), p.getY()),
                "several heads: the strongest line under the cursor, named by its head");
    }

    @Test
    void relevanceTextAndBarsReadOutTokenAndRelevance() {
        double[] values = {0.5, -0.25, 1.5, 0};
        String[] expected = {"token 0 \u201CThe\u201D: relevance +0.5000", "token 1 \u201Ccat\u201D: relevance -0.2500",
                "token 2 \u201Csat\u201D: relevance +1.500", "token 3 \u201Cdown\u201D: relevance 0"};
        RelevanceText text = new RelevanceText("text", TOKENS, values);
        double lineY = Text.height(Style.HEADING) + Style.GAP + 5;
        assertEquals(List.of(expected), distinctReadouts(text::readout, text.width(), lineY));
        assertNull(text.readout(2, 2), "the heading has nothing to read");
        RelevanceBars bars = new RelevanceBars("bars", TOKENS, values);
        double plotY = Text.height(Style.HEADING) + 2 * Style.GAP + 20;
        assertEquals(List.of(expected), distinctReadouts(bars::readout, bars.width(), plotY));

        // an image's patches (one special token, a 2×2 grid): the patch under the cursor, row-major after the special token
        var picture = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
        RelevancePatches patches = new RelevancePatches("patches", new RelevanceFigure.Image(picture, 1, 2, 2), new double[] {9, 0.5, -0.25, 1.5, 2});
        double side = patches.width();
        double below = Text.height(Style.HEADING) + Style.GAP;
        assertEquals("token 3 \u201Cpatch (1, 0)\u201D: relevance +1.500", patches.readout(side / 4, below + 3 * side / 4));
        assertEquals("token 2 \u201Cpatch (0, 1)\u201D: relevance -0.2500", patches.readout(3 * side / 4, below + side / 4));
        assertNull(patches.readout(side / 4, 2), "the heading has nothing to read");
    }

    @Test
    void corpusMapAndAtlasReadOutTheHeadUnderTheCursor() {
        double[][] values = {{0.5, 0.25, Double.NaN}, {1.5, 2, 3}};
        MatrixFigure map = HeadStatsFigure.of("map", "caption", values, "mean");
        Rectangle2D cell = map.cells(1, 2, 2, 3);
        assertEquals("layer 1, head 2: 3.000", map.readout(cell.getCenterX(), cell.getCenterY()));
        assertNull(map.readout(1, 1));

        double[][] xy = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5, 0.5}, {0.2, 0.9}};
        AtlasFigure byValue = new AtlasFigure("atlas", "caption", xy, 3, AtlasFigure.Colouring.values("entropy", new double[] {1, 2, 3, 4, 5, 6}),
                new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, "importance");
        Point2D dot = byValue.centre(4);
        assertEquals("layer 1, head 1 \u00B7 entropy: 5.000 \u00B7 importance: 0.5000", byValue.readout(dot.getX(), dot.getY()));
        AtlasFigure byType = new AtlasFigure("atlas", "caption", xy, 3,
                AtlasFigure.Colouring.categories("type", List.of("sink", "previous"), new int[] {0, 1, -1, 0, 1, 0}), null, null);
        Point2D other = byType.centre(1);
        assertEquals("layer 0, head 1 \u00B7 type: previous", byType.readout(other.getX(), other.getY()));
        assertNull(byType.readout(1, 1));
    }

    private interface Readout {
        String at(double x, double y);
    }

    /** The readouts met moving the cursor left to right at height {@code y}, each once, in order. */
    private static List<String> distinctReadouts(Readout r, double width, double y) {
        List<String> out = new ArrayList<>();
        for (double x = 0; x < width; x += 0.5) {
            String s = r.at(x, y);
            if (s != null && (out.isEmpty() || !out.get(out.size() - 1).equals(s))) {
                out.add(s);
            }
        }
        return out;
    }
}
