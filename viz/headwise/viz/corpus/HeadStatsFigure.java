package headwise.viz.corpus;

import headwise.viz.Figure;
import headwise.viz.draw.ColorBar;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.Style;
import headwise.viz.draw.ValueScale;
import headwise.viz.view.Labels;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/**
 * One statistic of one head metric over a corpus as an L×H map (layers on rows, heads on columns), coloured from its
 * smallest to its largest value; grey where the metric applied to no prompt. The page maps clicks to heads with
 * {@link #headAt}.
 */
public final class HeadStatsFigure implements Figure {

    private static final double LEGEND_GAP = 12;
    private static final double MIN_LEGEND_HEIGHT = 80;

    private final Header header;
    private final MatrixPanel panel;
    private final String legend;
    private final int layers;
    private final int heads;
    private final double panelX;
    private final double panelY;
    private final int width;
    private final int height;

    /** @param values [layer][head], NaN where there is no value */
    public HeadStatsFigure(String title, String caption, double[][] values, String legend) {
        this.layers = values.length;
        this.heads = values[0].length;
        this.legend = legend;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        ValueScale scale = min <= max ? ValueScale.linear(min, max) : ValueScale.linear(0, 1);
        int cell = Math.max(10, Math.min(30, 420 / Math.max(heads, layers)));
        this.panel = MatrixPanel.of(values, Labels.indices("L", layers), Labels.indices("H", heads), cell, scale, false).named("layer", "head");
        this.header = new Header(title, caption);
        this.panelX = Style.PAD;
        this.panelY = header.height();
        this.width = (int) Math.ceil(Math.max(header.width(), panelX + panel.width() + LEGEND_GAP + ColorBar.width(scale, legend) + Style.PAD));
        this.height = (int) Math.ceil(panelY + Math.max(panel.height(), panel.cellsY() + MIN_LEGEND_HEIGHT) + Style.PAD);
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
        header.draw(g);
        panel.draw(g, panelX, panelY);
        ColorBar.draw(g, panel.scale(), panelX + panel.width() + LEGEND_GAP, Math.round(panelY + panel.cellsY()),
                Math.max(panel.cellsHeight(), MIN_LEGEND_HEIGHT), legend);
    }

    /** "layer 3, head 2: 0.4120" of the cell under (x, y), or null off the cells. */
    @Override
    public String readout(double x, double y) {
        return panel.readout(x - panelX, y - panelY);
    }

    /** The cell of a head, in figure units. */
    public Rectangle2D cell(int layer, int head) {
        double cw = (double) panel.cellsWidth() / heads;
        double ch = (double) panel.cellsHeight() / layers;
        return new Rectangle2D.Double(panelX + panel.cellsX() + head * cw, panelY + panel.cellsY() + layer * ch, cw, ch);
    }

    /** {layer, head} under a figure point, or null outside the cells. */
    public int[] headAt(double x, double y) {
        double cx = x - panelX - panel.cellsX();
        double cy = y - panelY - panel.cellsY();
        if (cx < 0 || cy < 0 || cx >= panel.cellsWidth() || cy >= panel.cellsHeight()) {
            return null;
        }
        return new int[] {(int) (cy * layers / panel.cellsHeight()), (int) (cx * heads / panel.cellsWidth())};
    }
}
