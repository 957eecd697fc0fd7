package headwise.viz.view;

import headwise.viz.draw.Block;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;

/** Per-token sink rate as bars (0–100 %), token labels under the bars, reading upwards. */
final class SinkRateBars implements Block {

    private static final Color BAR = new Color(0x00, 0x72, 0xB2);
    private static final double PLOT_HEIGHT = 180;
    private static final int[] TICKS = {0, 25, 50, 75, 100};

    private final String[] labels;
    private final double[] rate;
    private final String heading;
    private final double pitch;
    private final double axisWidth;
    private final double labelsHeight;

    SinkRateBars(String[] labels, double[] rate, double epsilon) {
        this.labels = labels;
        this.rate = rate;
        this.heading = "Sink rate per token: % of heads whose sink score exceeds \u03B5 = " + Text.number(epsilon);
        this.pitch = Math.max(Text.height(Style.LABEL) + 2, Math.min(32, 900.0 / Math.max(1, labels.length)));
        this.axisWidth = Text.width(Style.SMALL, "100 %") + 2 * Style.GAP + Text.height(Style.SMALL);
        this.labelsHeight = Text.widest(Style.LABEL, labels) + Style.GAP;
    }

    private double headingHeight() {
        return Text.height(Style.HEADING) + Style.GAP;
    }

    @Override
    public double width() {
        return Math.max(Text.width(Style.HEADING, heading), axisWidth + labels.length * pitch);
    }

    @Override
    public double height() {
        return headingHeight() + Style.GAP + PLOT_HEIGHT + Style.GAP + labelsHeight;
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        Text.heading(g, heading, x, y);
        double left = x + axisWidth;
        double top = y + headingHeight() + Style.GAP;
        double bottom = top + PLOT_HEIGHT;
        double right = left + labels.length * pitch;
        g.setFont(Style.SMALL);
        g.setStroke(new BasicStroke(1f));
        for (int tick : TICKS) {
            double ty = bottom - tick / 100.0 * PLOT_HEIGHT;
            g.setColor(tick == 0 ? Style.FRAME : Style.GRID);
            g.draw(new Line2D.Double(left, ty, right, ty));
            g.setColor(Style.TEXT);
            Text.right(g, tick + " %", left - Style.GAP, ty + Text.centreShift(Style.SMALL));
        }
        g.setColor(Style.CAPTION);
        Text.upwardCentred(g, "sink rate", x + Text.ascent(Style.SMALL), (top + bottom) / 2);
        g.setColor(BAR);
        double barWidth = Math.max(1, pitch * 0.7);
        for (int t = 0; t < labels.length; t++) {
            double h = Double.isFinite(rate[t]) ? Math.max(0, Math.min(100, rate[t])) / 100 * PLOT_HEIGHT : 0;
            g.fill(new Rectangle2D.Double(left + t * pitch + (pitch - barWidth) / 2, bottom - h, barWidth, h));
        }
        g.setFont(Style.LABEL);
        g.setColor(Style.TEXT);
        double shift = Text.centreShift(Style.LABEL);
        for (int t = 0; t < labels.length; t++) {
            Text.upward(g, labels[t], left + (t + 0.5) * pitch + shift, bottom + Style.GAP + Text.width(Style.LABEL, labels[t]));
        }
    }
}
