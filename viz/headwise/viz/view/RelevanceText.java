package headwise.viz.view;

import headwise.viz.DivergingColorScale;
import headwise.viz.draw.Block;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/** The input tokens as boxes in reading order, wrapped, each filled by its signed relevance. */
final class RelevanceText implements Block {

    static final double MAX_WIDTH = 880;

    private final String heading;
    private final String[] labels;
    private final double[] values;
    private final double scale;
    private final List<double[]> boxes = new ArrayList<>(); // x, y, width per token, relative to the text's corner
    private final double lineHeight = Text.height(Style.LABEL) + 6;
    private final double width;
    private final double textHeight;

    RelevanceText(String heading, String[] labels, double[] values) {
        this.heading = heading;
        this.labels = labels;
        this.values = values;
        this.scale = RelevanceFigure.scale(values);
        double x = 0;
        double y = 0;
        double widest = 0;
        for (String label : labels) {
            double w = Text.width(Style.LABEL, label) + 6;
            if (x > 0 && x + w > MAX_WIDTH) {
                x = 0;
                y += lineHeight + 2;
            }
            boxes.add(new double[] {x, y, w});
            x += w + 2;
            widest = Math.max(widest, x);
        }
        this.width = Math.max(widest, Text.width(Style.HEADING, heading));
        this.textHeight = y + lineHeight;
    }

    @Override
    public double width() {
        return width;
    }

    @Override
    public double height() {
        return Text.height(Style.HEADING) + Style.GAP + textHeight;
    }

    /** "token 3 “cat”: relevance +0.412" of the token box under (x, y), or null between boxes. */
    @Override
    public String readout(double x, double y) {
        double ty = y - Text.height(Style.HEADING) - Style.GAP;
        for (int t = 0; t < labels.length; t++) {
            double[] b = boxes.get(t);
            if (x >= b[0] && x < b[0] + b[2] && ty >= b[1] && ty < b[1] + lineHeight) {
                return RelevanceFigure.describe(t, labels[t], values[t]);
            }
        }
        return null;
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        double top = Text.heading(g, heading, x, y) + Style.GAP;
        g.setFont(Style.LABEL);
        for (int t = 0; t < labels.length; t++) {
            double[] b = boxes.get(t);
            g.setColor(new Color(DivergingColorScale.argb(0.5 + 0.5 * values[t] / scale), true));
            g.fill(new Rectangle2D.Double(x + b[0], top + b[1], b[2], lineHeight));
            g.setColor(Math.abs(values[t] / scale) > 0.6 ? Color.WHITE : Style.TEXT);
            Text.left(g, labels[t], x + b[0] + 3, top + b[1] + 3 + Text.ascent(Style.LABEL));
        }
    }
}
