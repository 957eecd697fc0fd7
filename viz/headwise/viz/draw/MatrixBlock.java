package headwise.viz.draw;

import java.awt.Graphics2D;

/** A matrix panel with a heading above it, a colour bar beside it and an optional axis caption under the heading. */
public final class MatrixBlock implements Block {

    private static final double LEGEND_GAP = 12;
    private static final double MIN_LEGEND_HEIGHT = 60;

    private final String heading;
    private final String note;
    private final MatrixPanel panel;
    private final String legendCaption;

    /**
     * @param heading       bold line above, or null
     * @param note          small grey line under the heading, or null
     * @param legendCaption beside the colour bar, or null
     */
    public MatrixBlock(String heading, String note, MatrixPanel panel, String legendCaption) {
        this.heading = heading;
        this.note = note;
        this.panel = panel;
        this.legendCaption = legendCaption;
    }

    private double headingHeight() {
        double h = 0;
        if (heading != null) {
            h += Text.height(Style.HEADING) + Style.GAP;
        }
        if (note != null) {
            h += Text.height(Style.SMALL) + Style.GAP;
        }
        return h;
    }

    @Override
    public double width() {
        double texts = Math.max(heading == null ? 0 : Text.width(Style.HEADING, heading), note == null ? 0 : Text.width(Style.SMALL, note));
        return Math.max(texts, panel.width() + LEGEND_GAP + ColorBar.width(panel.scale(), legendCaption));
    }

    @Override
    public double height() {
        return headingHeight() + Math.max(panel.height(), panel.cellsY() + MIN_LEGEND_HEIGHT);
    }

    /** The bold line above the panel, or null. */
    public String heading() {
        return heading;
    }

    public MatrixPanel panel() {
        return panel;
    }

    @Override
    public String readout(double x, double y) {
        return panel.readout(x, y - headingHeight());
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        double top = y;
        if (heading != null) {
            g.setFont(Style.HEADING);
            g.setColor(Style.TEXT);
            Text.left(g, heading, x, top + Text.ascent(Style.HEADING));
            top += Text.height(Style.HEADING) + Style.GAP;
        }
        if (note != null) {
            g.setFont(Style.SMALL);
            g.setColor(Style.CAPTION);
            Text.left(g, note, x, top + Text.ascent(Style.SMALL));
            top += Text.height(Style.SMALL) + Style.GAP;
        }
        panel.draw(g, x, top);
        double cellsTop = Math.round(top + panel.cellsY());
        ColorBar.draw(g, panel.scale(), x + panel.width() + LEGEND_GAP, cellsTop,
                Math.max(panel.cellsHeight(), MIN_LEGEND_HEIGHT), legendCaption);
    }
}
