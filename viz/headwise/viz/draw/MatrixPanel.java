package headwise.viz.draw;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * A labelled matrix of coloured cells: row labels on the left, column labels on top (rotated when they are
 * words), optionally the value written in each cell. All cells are one image drawn with drawImage, so an SVG or
 * PDF holds one picture, not a rectangle per cell. Labels are thinned (every k-th) where cells are too small to
 * hold one each. Positions are relative to the panel's top-left corner.
 */
public final class MatrixPanel {

    /** The value of one cell. */
    @FunctionalInterface
    public interface Cells {
        double at(int row, int col);
    }

    private final int rows;
    private final int cols;
    private final Cells cells;
    private final String[] rowLabels;
    private final String[] colLabels;
    private final int cellWidth;
    private final int cellHeight;
    private final ValueScale scale;
    private final boolean annotate;
    private final Font font;
    private final boolean horizontalColumnLabels;
    private final int rowStep;
    private final int colStep;
    private final double rowLabelExtent;
    private final double colLabelExtent;

    /**
     * @param rowLabels one per row, or null for none
     * @param colLabels one per column, or null for none
     * @param annotate  write each value in its cell (when the cell is large enough)
     */
    public MatrixPanel(int rows, int cols, Cells cells, String[] rowLabels, String[] colLabels, int cellWidth,
                       int cellHeight, ValueScale scale, boolean annotate) {
        if (rows < 1 || cols < 1 || cellWidth < 1 || cellHeight < 1) {
            throw new IllegalArgumentException("bad matrix " + rows + "x" + cols + " with " + cellWidth + "x" + cellHeight + " cells");
        }
        if (rowLabels != null && rowLabels.length != rows || colLabels != null && colLabels.length != cols) {
            throw new IllegalArgumentException("labels do not match a " + rows + "x" + cols + " matrix");
        }
        this.rows = rows;
        this.cols = cols;
        this.cells = cells;
        this.rowLabels = rowLabels;
        this.colLabels = colLabels;
        this.cellWidth = cellWidth;
        this.cellHeight = cellHeight;
        this.scale = scale;
        this.font = Math.min(cellWidth, cellHeight) >= 14 ? Style.LABEL : Style.SMALL;
        this.annotate = annotate && cellWidth >= Text.width(Style.SMALL, "-0.00") + 4 && cellHeight >= Text.height(Style.SMALL) + 2;
        double lineHeight = Text.height(font);
        this.rowStep = (int) Math.ceil(lineHeight / cellHeight);
        double widestColumn = colLabels == null ? 0 : Text.widest(font, colLabels);
        this.horizontalColumnLabels = colLabels != null && (widestColumn + 2 <= cellWidth || allNumbers(colLabels));
        this.colStep = horizontalColumnLabels ? (int) Math.ceil((widestColumn + 6) / cellWidth) : (int) Math.ceil(lineHeight / cellWidth);
        this.rowLabelExtent = rowLabels == null ? 0 : Text.widest(font, rowLabels) + Style.GAP;
        this.colLabelExtent = colLabels == null ? 0 : (horizontalColumnLabels ? lineHeight : widestColumn) + Style.GAP;
    }

    /** A matrix of doubles, [row][col]. */
    public static MatrixPanel of(double[][] values, String[] rowLabels, String[] colLabels, int cell, ValueScale scale,
                                 boolean annotate) {
        return new MatrixPanel(values.length, values[0].length, (r, c) -> values[r][c], rowLabels, colLabels, cell, cell,
                scale, annotate);
    }

    public double width() {
        return rowLabelExtent + cols * cellWidth;
    }

    public double height() {
        return colLabelExtent + rows * cellHeight;
    }

    /** Left edge of the cells, from the panel's left. */
    public double cellsX() {
        return rowLabelExtent;
    }

    /** Top edge of the cells, from the panel's top. */
    public double cellsY() {
        return colLabelExtent;
    }

    public int cellsWidth() {
        return cols * cellWidth;
    }

    public int cellsHeight() {
        return rows * cellHeight;
    }

    public ValueScale scale() {
        return scale;
    }

    /** Every how many rows a row label is drawn (1: all; more where cells are lower than a line of text). */
    public int rowLabelStep() {
        return rowStep;
    }

    /** Draws the panel with its top-left corner at (x, y); the cells' corner is snapped to whole units. */
    public void draw(Graphics2D g, double x, double y) {
        int left = (int) Math.round(x + rowLabelExtent);
        int top = (int) Math.round(y + colLabelExtent);
        g.drawImage(cellImage(), left, top, null);
        g.setStroke(new BasicStroke(1f));
        g.setColor(Style.FRAME);
        g.draw(new Rectangle2D.Double(left - 0.5, top - 0.5, cellsWidth() + 1, cellsHeight() + 1));
        g.setFont(font);
        g.setColor(Style.TEXT);
        double shift = Text.centreShift(font);
        if (rowLabels != null) {
            for (int r = 0; r < rows; r += rowStep) {
                Text.right(g, rowLabels[r], left - Style.GAP, top + (r + 0.5) * cellHeight + shift);
            }
        }
        if (colLabels != null) {
            for (int c = 0; c < cols; c += colStep) {
                double centre = left + (c + 0.5) * cellWidth;
                if (horizontalColumnLabels) {
                    Text.centred(g, colLabels[c], centre, top - Style.GAP - Text.descent(font));
                } else {
                    Text.upward(g, colLabels[c], centre + shift, top - Style.GAP);
                }
            }
        }
        if (annotate) {
            drawValues(g, left, top);
        }
    }

    private void drawValues(Graphics2D g, int left, int top) {
        g.setFont(Style.SMALL);
        double shift = Text.centreShift(Style.SMALL);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = cells.at(r, c);
                g.setColor(luminance(scale.argb(v)) > 140 ? Style.TEXT : Color.WHITE);
                Text.centred(g, Text.number(v), left + (c + 0.5) * cellWidth, top + (r + 0.5) * cellHeight + shift);
            }
        }
    }

    /** The cells at their drawn size (cell blocks of whole pixels), so viewers never blur them. */
    BufferedImage cellImage() {
        int w = cellsWidth();
        int h = cellsHeight();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int[] line = new int[w];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                Arrays.fill(line, c * cellWidth, (c + 1) * cellWidth, scale.argb(cells.at(r, c)));
            }
            for (int dy = 0; dy < cellHeight; dy++) {
                image.setRGB(0, r * cellHeight + dy, w, 1, line, 0, w);
            }
        }
        return image;
    }

    static double luminance(int argb) {
        return 0.2126 * (argb >> 16 & 0xFF) + 0.7152 * (argb >> 8 & 0xFF) + 0.0722 * (argb & 0xFF);
    }

    private static boolean allNumbers(String[] labels) {
        for (String l : labels) {
            if (!l.matches("[A-Za-z]?-?\\d+")) {
                return false;
            }
        }
        return true;
    }
}
