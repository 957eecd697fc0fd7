package headwise.viz.view;

import headwise.viz.DivergingColorScale;
import headwise.viz.draw.Block;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;

/** Signed relevance per token as bars up (red) or down (blue) from zero, token labels under the plot, upwards. */
final class RelevanceBars implements Block {

    private static final double PLOT_HEIGHT = 150;
    private static final int MAX_LABELS = 120;

    private final String heading;
    private final String[] labels;
    private final double[] values;
    private final double scale;
    private final double pitch;
    private final double axisWidth;
    private final double labelsHeight;

    RelevanceBars(String heading, String[] labels, double[] values) {
        this.heading = heading;
        this.labels = labels;
        this.values = values;
        this.scale = RelevanceFigure.scale(values);
        this.pitch = Math.max(2, Math.min(28, RelevanceText.MAX_WIDTH / Math.max(1, labels.length)));
        this.axisWidth = Text.width(Style.SMALL, "-" + Text.number(scale)) + 2 * Style.GAP;
        this.labelsHeight = labels.length <= MAX_LABELS ? Text.widest(Style.SMALL, labels) + Style.GAP : 0;
    }

    @Override
    public double width() {
        return Math.max(Text.width(Style.HEADING, heading), axisWidth + labels.length * pitch);
    }

    @Override
    public double height() {
        return Text.height(Style.HEADING) + 2 * Style.GAP + PLOT_HEIGHT + labelsHeight;
    }

    /** The token whose column (bar and label) is under (x, y), as "token 3 “cat”: relevance +0.412", or null. */
    @Override
    public String readout(double x, double y) {
        double top = Text.height(Style.HEADING) + 2 * Style.GAP;
        int t = (int) Math.floor((x - axisWidth) / pitch);
        if (x < axisWidth || t >= values.length || y < top || y >= top + PLOT_HEIGHT + labelsHeight) {
            return null;
        }
        return RelevanceFigure.describe(t, labels[t], values[t]);
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        double top = Text.heading(g, heading, x, y) + 2 * Style.GAP;
        double left = x + axisWidth;
        double zero = top + PLOT_HEIGHT / 2;
        double right = left + labels.length * pitch;
        g.setStroke(new BasicStroke(1f));
        g.setFont(Style.SMALL);
        for (int k = -1; k <= 1; k++) {
            double ty = zero - k * PLOT_HEIGHT / 2;
            g.setColor(k == 0 ? Style.FRAME : Style.GRID);
            g.draw(new Line2D.Double(left, ty, right, ty));
            g.setColor(Style.TEXT);
            Text.right(g, Text.number(k * scale), left - Style.GAP, ty + Text.centreShift(Style.SMALL));
        }
        double barWidth = Math.max(1, pitch * 0.7);
        for (int t = 0; t < values.length; t++) {
            double h = values[t] / scale * PLOT_HEIGHT / 2;
            g.setColor(new Color(DivergingColorScale.argb(values[t] >= 0 ? 0.85 : 0.15), true));
            g.fill(new Rectangle2D.Double(left + t * pitch + (pitch - barWidth) / 2, Math.min(zero, zero - h), barWidth, Math.abs(h)));
        }
        if (labelsHeight > 0) {
            g.setColor(Style.TEXT);
            double shift = Text.centreShift(Style.SMALL);
            double bottom = top + PLOT_HEIGHT + Style.GAP;
            for (int t = 0; t < labels.length; t++) {
                Text.upward(g, labels[t], left + (t + 0.5) * pitch + shift, bottom + Text.width(Style.SMALL, labels[t]));
            }
        }
    }
}
