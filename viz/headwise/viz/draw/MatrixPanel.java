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
    private String rowAxis;
    private String colAxis;
    private CellNote cellNote = (r, c) -> null;

    /** More about one cell for its readout (a head's type), or null. */
    @FunctionalInterface
    public interface CellNote {
        String at(int row, int col);
    }

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

    /** A layers × heads map ("L0".. down, "0".. across) whose cells read "layer l, head h: value". */
    public static MatrixPanel headMap(double[][] values, int cell, ValueScale scale, boolean annotate) {
        String[] layers = new String[values.length];
        String[] heads = new String[values[0].length];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = "L" + l;
        }
        for (int h = 0; h < heads.length; h++) {
            heads[h] = Integer.toString(h);
        }
        return of(values, layers, heads, cell, scale, annotate).named("layer", "head");
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

    /**
     * Names the axes for the readout ("query", "key"; "layer", "head"), so a cell reads "query 2 “is”, key 3 “all”"
     * rather than its bare labels. Returns this panel.
     */
    public MatrixPanel named(String rowAxis, String colAxis) {
        this.rowAxis = rowAxis;
        this.colAxis = colAxis;
        return this;
    }

    /** Adds {@code note} to each cell's readout (e.g. the head's type). Returns this panel. */
    public MatrixPanel noted(CellNote note) {
        this.cellNote = note == null ? (r, c) -> null : note;
        return this;
    }

    /** The cell under (x, y), measured from the panel's top-left corner, as {row, col}; null off the cells. */
    public int[] cellAt(double x, double y) {
        double dx = x - Math.round(rowLabelExtent);
        double dy = y - Math.round(colLabelExtent);
        if (dx < 0 || dy < 0) {
            return null;
        }
        int c = (int) (dx / cellWidth);
        int r = (int) (dy / cellHeight);
        return r < rows && c < cols ? new int[] {r, c} : null;
    }

    /** "row label, column label: value" of the cell under (x, y) (panel coordinates), or null off the cells. */
    public String readout(double x, double y) {
        int[] at = cellAt(x, y);
        if (at == null) {
            return null;
        }
        String note = cellNote.at(at[0], at[1]);
        return axisLabel(rowAxis, rowLabels, at[0]) + ", " + axisLabel(colAxis, colLabels, at[1]) + ": "
                + Text.precise(cells.at(at[0], at[1])) + (note == null ? "" : " \u00B7 " + note);
    }

    /** "query 2 “is”", "layer 3", "L3" or "row 3". */
    private static String axisLabel(String axis, String[] labels, int i) {
        String label = labels == null ? null : labels[i];
        if (axis == null) {
            return label == null ? "#" + i : label;
        }
        if (label == null || label.equals(Integer.toString(i)) || label.matches("[A-Za-z]" + i)) {
            return axis + " " + i;
        }
        return axis + " " + i + " \u201C" + label + "\u201D";
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
