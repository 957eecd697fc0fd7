package headwise.viz.vlm;

import headwise.viz.draw.Block;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/**
 * One horizontal bar per layer, split into the classes' shares (left to right, the categorical colours), with the
 * percentages written where a segment is wide enough and a legend under the bars. Rows line up with the maps' rows
 * when drawn at the same cell height.
 */
final class LayerShareBars implements Block {

    private static final double BAR = 180;

    private final double[][] shares;
    private final String[] names;
    private final int rowHeight;

    /** @param shares [layer][class], each row summing to about 1 */
    LayerShareBars(double[][] shares, String[] names, int rowHeight) {
        this.shares = shares;
        this.names = names;
        this.rowHeight = rowHeight;
    }

    private double labelWidth() {
        return Text.width(Style.LABEL, "L" + (shares.length - 1)) + Style.GAP;
    }

    private double legendHeight() {
        return names.length * (Text.height(Style.SMALL) + 2);
    }

    @Override
    public double width() {
        return Math.max(labelWidth() + BAR, Text.width(Style.HEADING, "per layer (mean of heads)"));
    }

    @Override
    public double height() {
        return Text.height(Style.HEADING) + Style.GAP + Text.height(Style.SMALL) + Style.GAP + shares.length * rowHeight
                + 2 * Style.GAP + legendHeight();
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        double top = Text.heading(g, "per layer (mean of heads)", x, y) + Style.GAP + Text.height(Style.SMALL) + Style.GAP;
        double left = x + labelWidth();
        g.setStroke(new BasicStroke(1f));
        double shift = Text.centreShift(Style.SMALL);
        java.awt.Font labelFont = rowHeight >= 14 ? Style.LABEL : Style.SMALL;
        int labelStep = (int) Math.ceil(Text.height(labelFont) / rowHeight); // every k-th label where rows are low
        for (int l = 0; l < shares.length; l++) {
            double rowTop = top + l * rowHeight;
            if (l % labelStep == 0) {
                g.setFont(labelFont);
                g.setColor(Style.TEXT);
                Text.right(g, "L" + l, left - Style.GAP, rowTop + rowHeight / 2.0 + Text.centreShift(labelFont));
            }
            double at = left;
            for (int c = 0; c < shares[l].length; c++) {
                double w = Math.max(0, shares[l][c]) * BAR;
                g.setColor(Style.CATEGORIES[c % Style.CATEGORIES.length]);
                g.fill(new Rectangle2D.Double(at, rowTop + 1, w, rowHeight - 2));
                String percent = Math.round(100 * shares[l][c]) + "%";
                if (w >= Text.width(Style.SMALL, percent) + 4 && rowHeight >= Text.height(Style.SMALL)) {
                    g.setFont(Style.SMALL);
                    g.setColor(Style.TEXT);
                    Text.centred(g, percent, at + w / 2, rowTop + rowHeight / 2.0 + shift);
                }
                at += w;
            }
            g.setColor(Style.FRAME);
            g.draw(new Rectangle2D.Double(left, rowTop + 1, BAR, rowHeight - 2));
        }
        double legendTop = top + shares.length * rowHeight + 2 * Style.GAP;
        g.setFont(Style.SMALL);
        for (int c = 0; c < names.length; c++) {
            double ly = legendTop + c * (Text.height(Style.SMALL) + 2);
            g.setColor(Style.CATEGORIES[c % Style.CATEGORIES.length]);
            g.fill(new Rectangle2D.Double(left, ly + 2, 10, Text.height(Style.SMALL) - 4));
            g.setColor(Style.TEXT);
            Text.left(g, names[c], left + 14, ly + Text.ascent(Style.SMALL));
        }
    }
}
