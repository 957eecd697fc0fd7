package headwise.viz.view;

import headwise.viz.Figure;
import headwise.viz.draw.ColorBar;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.Style;
import headwise.viz.draw.ValueScale;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/**
 * One labelled matrix with a title, a caption and a colour bar, that also says which cell lies under a point, so
 * an interactive view can map clicks and hovers to (row, column) and draw highlights over the same picture.
 */
public final class MatrixFigure implements Figure {

    private static final double LEGEND_GAP = 12;
    private static final double MIN_LEGEND_HEIGHT = 80;

    private final Header header;
    private final MatrixPanel panel;
    private final String legendCaption;
    private final int rows;
    private final int cols;
    private final int cellWidth;
    private final int cellHeight;
    private final int width;
    private final int height;

    /** @param legendCaption beside the colour bar, or null */
    public MatrixFigure(String title, String caption, int rows, int cols, MatrixPanel.Cells cells, String[] rowLabels,
                        String[] colLabels, int cellWidth, int cellHeight, ValueScale scale,
                        boolean annotate, String legendCaption) {
        this.header = new Header(title, caption);
        this.panel = new MatrixPanel(rows, cols, cells, rowLabels, colLabels, cellWidth, cellHeight, scale, annotate);
        this.legendCaption = legendCaption;
        this.rows = rows;
        this.cols = cols;
        this.cellWidth = cellWidth;
        this.cellHeight = cellHeight;
        double right = Style.PAD + panel.width() + LEGEND_GAP + ColorBar.width(scale, legendCaption) + Style.PAD;
        this.width = (int) Math.ceil(Math.max(header.width(), right));
        this.height = (int) Math.ceil(header.height() + Math.max(panel.height(), panel.cellsY() + MIN_LEGEND_HEIGHT) + Style.PAD);
    }

    /** A [row][col] matrix of doubles with square cells. */
    public static MatrixFigure of(String title, String caption, double[][] values, String[] rowLabels, String[] colLabels,
                                  int cell, ValueScale scale, boolean annotate, String legendCaption) {
        return new MatrixFigure(title, caption, values.length, values[0].length, (r, c) -> values[r][c], rowLabels, colLabels,
                cell, cell, scale, annotate, legendCaption);
    }

    /** A layers × heads map ("L0".. down, heads across) whose cells read "layer l, head h: value". */
    public static MatrixFigure headMap(String title, String caption, double[][] values, int cell, ValueScale scale, String legendCaption) {
        MatrixFigure f = of(title, caption, values, indexLabels("L", values.length), indexLabels("", values[0].length), cell, scale,
                false, legendCaption);
        f.panel.named("layer", "head");
        return f;
    }

    /** Token labels for a matrix axis: tokens shortened, or positions when tokens is null. */
    public static String[] tokenLabels(String[] tokens, int length) {
        return Labels.tokens(tokens, length);
    }

    /** "prefix0", "prefix1", … */
    public static String[] indexLabels(String prefix, int count) {
        return Labels.indices(prefix, count);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    private double cellsLeft() {
        return Math.round(Style.PAD + panel.cellsX());
    }

    private double cellsTop() {
        return Math.round(header.height() + panel.cellsY());
    }

    public MatrixPanel panel() {
        return panel;
    }

    @Override
    public String readout(double x, double y) {
        return panel.readout(x - Style.PAD, y - header.height());
    }

    /** The cell under figure point (x, y) as {row, col}, or null outside the cells. */
    public int[] cellAt(double x, double y) {
        double dx = x - cellsLeft();
        double dy = y - cellsTop();
        if (dx < 0 || dy < 0) {
            return null;
        }
        int c = (int) (dx / cellWidth);
        int r = (int) (dy / cellHeight);
        return r < rows && c < cols ? new int[] {r, c} : null;
    }

    /** The rectangle of cells rows [r0, r1) × columns [c0, c1) in figure units. */
    public Rectangle2D cells(int r0, int r1, int c0, int c1) {
        return new Rectangle2D.Double(cellsLeft() + c0 * cellWidth, cellsTop() + r0 * cellHeight, (c1 - c0) * cellWidth,
                (r1 - r0) * cellHeight);
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        panel.draw(g, Style.PAD, header.height());
        ColorBar.draw(g, panel.scale(), Style.PAD + panel.width() + LEGEND_GAP, cellsTop(),
                Math.max(panel.cellsHeight(), MIN_LEGEND_HEIGHT), legendCaption);
    }
}
