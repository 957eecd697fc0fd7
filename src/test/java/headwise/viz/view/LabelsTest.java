package headwise.viz.view;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The helpers every figure and page shares: token labels, heatmap cell sizes, a matrix's largest weight. */
class LabelsTest {

    @Test
    void shortensLongTokensAndShowsControlCharacters() {
        assertEquals("abcdefghijklm\u2026", Labels.shorten("abcdefghijklmnopqrstuvwxyz"));
        assertEquals("abcdefghijklmn", Labels.shorten("abcdefghijklmn"));
        assertEquals("a\\nb", Labels.shorten("a\nb"));
        assertEquals("a\\tb", Labels.shorten("a\tb"));
        assertEquals("a\uFFFDb", Labels.shorten("a\u0007b"));
        assertEquals("\u2423", Labels.shorten(" "));
        assertEquals("\u21B5", Labels.shorten("\n"));
        assertEquals("", Labels.shorten(null));
        assertArrayEquals(new String[] {"0", "1"}, Labels.tokens(null, 2));
        assertArrayEquals(new String[] {"\u2423", "cat"}, Labels.tokens(new String[] {" ", "cat"}, 2));
    }

    @Test
    void heatmapCellsFitTheTargetSide() {
        assertEquals(HeadHeatmapFigure.MAX_CELL, HeadHeatmapFigure.cellSizeFor(5), "few tokens: the largest cells");
        assertEquals(8, HeadHeatmapFigure.cellSizeFor(80));
        assertEquals(1, HeadHeatmapFigure.cellSizeFor(4096), "many tokens: one pixel, never zero");
    }

    @Test
    void maxIsTheLargestFiniteWeight() {
        assertEquals(0.5f, HeadHeatmapFigure.max(new float[] {0.25f, 0.5f, Float.POSITIVE_INFINITY, Float.NaN}, 2));
        assertEquals(0f, HeadHeatmapFigure.max(new float[] {-1, -2, -3, -4}, 2), "nothing above 0");
        assertEquals(0.25f, HeadHeatmapFigure.max(new float[] {0.25f, 0, 0, 0, 9}, 2), "only length² values count");
        assertThrows(IllegalArgumentException.class, () -> HeadHeatmapFigure.max(new float[3], 2));
    }
}
