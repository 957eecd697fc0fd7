package headwise.viz.corpus;

import headwise.viz.Figure;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;

import java.awt.Graphics2D;

/** A head's mean attention pattern, shrunk to a small grid (queries down, keys across), under a one-line title. */
public final class PatternThumbnailFigure implements Figure {

    private static final int CELL = 12;
    private final String title;
    private final MatrixPanel panel;
    private final int width;
    private final int height;

    /** @param cells size·size values, row-major */
    public PatternThumbnailFigure(String title, double[] cells, int size) {
        this.title = title;
        double max = 0;
        for (double v : cells) {
            max = Math.max(max, v);
        }
        this.panel = new MatrixPanel(size, size, (r, c) -> cells[r * size + c], null, null, CELL, CELL,
                ValueScale.linear(0, max > 0 ? max : 1), false);
        this.width = (int) Math.ceil(Math.max(panel.width(), Text.width(Style.LABEL, title)) + 2 * Style.GAP);
        this.height = (int) Math.ceil(Text.height(Style.LABEL) + panel.height() + 3 * Style.GAP);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        g.setFont(Style.LABEL);
        g.setColor(Style.TEXT);
        Text.left(g, title, Style.GAP, Style.GAP + Text.ascent(Style.LABEL));
        panel.draw(g, Style.GAP, 2 * Style.GAP + Text.height(Style.LABEL));
    }
}
