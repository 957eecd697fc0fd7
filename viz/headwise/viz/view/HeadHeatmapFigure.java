package headwise.viz.view;

import headwise.viz.draw.Scales;
import headwise.viz.Figure;
import headwise.viz.draw.ColorBar;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;

import java.awt.Graphics2D;

/**
 * One head's T×T attention: token labels on both axes (queries on rows, keys on columns), a colour legend, and a
 * linear or log10 colour scale (log shows the small weights a sink hides).
 */
public final class HeadHeatmapFigure implements Figure {

    /** The heatmap's cells aim at about this many pixels a side (cells are whole pixels, so it is at most this). */
    public static final int TARGET_SIDE = 640;
    public static final int MAX_CELL = 40;
    private static final int MIN_LEGEND_HEIGHT = 120;

    private final Header header;
    private final MatrixPanel panel;
    private final String legendCaption;
    private final double panelX;
    private final double panelY;
    private final int width;
    private final int height;

    /**
     * @param matrix row-major T×T, rows = queries
     * @param tokens T labels, or null for positions
     * @param log    log10 colour scale instead of linear
     */
    public HeadHeatmapFigure(float[] matrix, int length, String[] tokens, String title, boolean log) {
        if (matrix.length < length * length || tokens != null && tokens.length != length) {
            throw new IllegalArgumentException("a " + length + "x" + length + " matrix needs " + length * length + " values and "
                    + length + " tokens");
        }
        double max = 0;
        double smallestPositive = Double.MAX_VALUE;
        for (int i = 0; i < length * length; i++) {
            if (Float.isFinite(matrix[i])) {
                max = Math.max(max, matrix[i]);
                if (matrix[i] > 0) {
                    smallestPositive = Math.min(smallestPositive, matrix[i]);
                }
            }
        }
        ValueScale scale = Scales.attention(max, smallestPositive, log);
        String[] labels = Labels.tokens(tokens, length);
        int cell = cellSizeFor(length);
        this.panel = new MatrixPanel(length, length, (q, k) -> matrix[q * length + k], labels, labels, cell, cell, scale, false)
                .named("query", "key");
        String thinned = panel.rowLabelStep() > 1 ? "; every " + ordinal(panel.rowLabelStep()) + " token labelled" : "";
        this.header = new Header(title, "rows: queries, columns: keys; colour " + scale.describe() + " from "
                + Text.number(scale.min()) + " to the largest weight " + Text.number(max) + thinned);
        this.legendCaption = log ? "attention (log10)" : "attention";
        double captionRoom = Text.height(Style.SMALL) + Style.GAP;
        this.panelX = Style.PAD + captionRoom;
        this.panelY = header.height() + captionRoom;
        double legendX = panelX + panel.width() + 2 * Style.GAP + 8;
        this.width = (int) Math.ceil(Math.max(legendX + ColorBar.width(scale, legendCaption) + Style.PAD, header.width()));
        this.height = (int) Math.ceil(panelY + Math.max(panel.height(), panel.cellsY() + MIN_LEGEND_HEIGHT) + Style.PAD);
    }

    /** Cell size in pixels for {@code length} tokens: as large as fits {@link #TARGET_SIDE}, 1 to {@link #MAX_CELL}. */
    public static int cellSizeFor(int length) {
        return Math.max(1, Math.min(MAX_CELL, TARGET_SIDE / Math.max(1, length)));
    }

    /** The largest finite value of the first length×length entries (0 when there is none above 0). */
    public static float max(float[] matrix, int length) {
        if (length < 1 || matrix.length < (long) length * length) {
            throw new IllegalArgumentException("a " + length + "x" + length + " matrix needs " + (long) length * length
                    + " values, got " + matrix.length);
        }
        float max = 0f;
        for (int i = 0; i < length * length; i++) {
            if (matrix[i] > max && Float.isFinite(matrix[i])) {
                max = matrix[i];
            }
        }
        return max;
    }

    private static String ordinal(int n) {
        return n == 2 ? "2nd" : n == 3 ? "3rd" : n + "th";
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    public MatrixPanel panel() {
        return panel;
    }

    /** Top-left corner of the matrix panel (labels included) in figure units. */
    public double panelX() {
        return panelX;
    }

    public double panelY() {
        return panelY;
    }

    @Override
    public String readout(double x, double y) {
        return panel.readout(x - panelX, y - panelY);
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        panel.draw(g, panelX, panelY);
        double cellsLeft = Math.round(panelX + panel.cellsX());
        double cellsTop = Math.round(panelY + panel.cellsY());
        g.setFont(Style.SMALL);
        g.setColor(Style.CAPTION);
        Text.left(g, "keys \u2192", cellsLeft, panelY - Text.descent(Style.SMALL));
        Text.upward(g, "\u2190 queries", Style.PAD + Text.ascent(Style.SMALL),
                cellsTop + Text.width(Style.SMALL, "\u2190 queries"));
        double legendHeight = Math.max(panel.cellsHeight(), MIN_LEGEND_HEIGHT);
        ColorBar.draw(g, panel.scale(), panelX + panel.width() + 2 * Style.GAP + 8, cellsTop, legendHeight, legendCaption);
    }
}
