package headwise.viz.view;

import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.util.List;

/**
 * Deletion and insertion curves of several relevance methods side by side: the target's score against the fraction
 * of units removed (inserted) in each method's order, one line per method, with the area under each curve in the
 * legend (deletion: lower is better; insertion: higher).
 */
public final class FaithfulnessFigure extends BlockFigure {

    /** One method's curves over the same fractions. */
    public record Curves(String method, double[] fractions, double[] deletion, double[] insertion,
                         double deletionArea, double insertionArea) {
    }

    public FaithfulnessFigure(String title, String scoreName, List<Curves> curves) {
        super(new Header(title, "x: fraction of tokens/patches removed (deletion) or inserted (insertion) in the method's "
                        + "order of relevance; y: " + scoreName),
                new BlockGrid(List.of(new Chart("Deletion (lower area is better)", scoreName, curves, true),
                        new Chart("Insertion (higher area is better)", scoreName, curves, false)), 2));
    }

    private record Chart(String heading, String scoreName, List<Curves> curves, boolean deletion) implements Block {
        private static final double PLOT = 220;
        private static final double AXIS = 46;

        private double legendHeight() {
            return curves.size() * (Text.height(Style.SMALL) + 2);
        }

        @Override
        public double width() {
            return AXIS + PLOT + Style.GAP;
        }

        @Override
        public double height() {
            return Text.height(Style.HEADING) + Style.GAP + PLOT + Text.height(Style.SMALL) + 2 * Style.GAP + legendHeight();
        }

        @Override
        public void draw(Graphics2D g, double x, double y) {
            double top = Text.heading(g, heading, x, y) + Style.GAP;
            double left = x + AXIS;
            double max = 0;
            double min = 0;
            for (Curves c : curves) {
                for (double v : deletion ? c.deletion() : c.insertion()) {
                    if (Double.isFinite(v)) {
                        max = Math.max(max, v);
                        min = Math.min(min, v);
                    }
                }
            }
            if (max == min) {
                max = min + 1;
            }
            g.setFont(Style.SMALL);
            g.setStroke(new BasicStroke(1f));
            for (int k = 0; k <= 4; k++) {
                double ty = top + PLOT - k / 4.0 * PLOT;
                g.setColor(k == 0 ? Style.FRAME : Style.GRID);
                g.draw(new Line2D.Double(left, ty, left + PLOT, ty));
                g.setColor(Style.TEXT);
                Text.right(g, Text.number(min + k / 4.0 * (max - min)), left - Style.GAP, ty + Text.centreShift(Style.SMALL));
                double tx = left + k / 4.0 * PLOT;
                Text.centred(g, Text.number(k / 4.0), tx, top + PLOT + Style.GAP + Text.ascent(Style.SMALL));
            }
            g.setStroke(new BasicStroke(1.8f));
            double legendTop = top + PLOT + Text.height(Style.SMALL) + 2 * Style.GAP;
            for (int i = 0; i < curves.size(); i++) {
                Curves c = curves.get(i);
                double[] v = deletion ? c.deletion() : c.insertion();
                Color colour = Style.CATEGORIES[i % Style.CATEGORIES.length];
                g.setColor(colour);
                Path2D.Double path = new Path2D.Double();
                for (int s = 0; s < v.length; s++) {
                    double px = left + c.fractions()[s] * PLOT;
                    double py = top + PLOT - (v[s] - min) / (max - min) * PLOT;
                    if (s == 0) {
                        path.moveTo(px, py);
                    } else {
                        path.lineTo(px, py);
                    }
                }
                g.draw(path);
                double ly = legendTop + i * (Text.height(Style.SMALL) + 2);
                g.draw(new Line2D.Double(left, ly + Text.height(Style.SMALL) / 2, left + 16, ly + Text.height(Style.SMALL) / 2));
                g.setColor(Style.TEXT);
                Text.left(g, c.method() + "  area " + Text.number(deletion ? c.deletionArea() : c.insertionArea()),
                        left + 20, ly + Text.ascent(Style.SMALL));
            }
        }
    }
}
