package headwise.viz.vlm;

import headwise.engine.vlm.analysis.ImageTokenPruning;
import headwise.engine.vlm.analysis.Prediction;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.ChartBlock;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;

/**
 * FlowCut pruning curves: the target token's probability against the fraction of image tokens kept (1 on the left,
 * pruning towards the right), pruning in FlowCut's order and in the single-layer attention order, on one chart.
 * A filled marker: the top-1 token is still the clean one; a hollow square: it changed. The clean probability is the
 * dashed line.
 */
public final class PruningCurvesFigure extends BlockFigure {

    static final double WIDTH = 480;
    static final double HEIGHT = 300;

    /**
     * @param attentionName the baseline's name ("attention at layer 2")
     * @param targetName    the target token as text
     */
    public PruningCurvesFigure(String title, ImageTokenPruning pruning, String attentionName, String targetName) {
        super(new Header(title, "P('" + targetName + "') at the last position as image tokens are pruned, lowest score "
                        + "first; hollow square: top-1 changed"),
                new ChartBlock(chart(pruning, attentionName), WIDTH, HEIGHT));
    }

    private static JFreeChart chart(ImageTokenPruning p, String attentionName) {
        XYSeriesCollection data = new XYSeriesCollection();
        Prediction[][] orders = {p.byFlow(), p.byAttention()};
        String[] names = {"FlowCut score", attentionName};
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int o = 0; o < 2; o++) {
            XYSeries kept = new XYSeries(names[o], false, true);
            XYSeries changed = new XYSeries(names[o] + ": top-1 changed", false, true);
            for (int f = 0; f < p.fractions().length; f++) {
                kept.add(p.fractions()[f], orders[o][f].probability());
                if (orders[o][f].top() != p.clean().top()) {
                    changed.add(p.fractions()[f], orders[o][f].probability());
                }
            }
            int line = data.getSeriesCount();
            data.addSeries(kept);
            data.addSeries(changed);
            renderer.setSeriesPaint(line, Style.CATEGORIES[o == 0 ? 5 : 4]);
            renderer.setSeriesStroke(line, new BasicStroke(2f));
            renderer.setSeriesShape(line, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            renderer.setSeriesShapesVisible(line, true);
            renderer.setSeriesPaint(line + 1, Style.CATEGORIES[o == 0 ? 5 : 4]);
            renderer.setSeriesLinesVisible(line + 1, false);
            renderer.setSeriesShapesVisible(line + 1, true);
            renderer.setSeriesShapesFilled(line + 1, false);
            renderer.setSeriesShape(line + 1, new Rectangle2D.Double(-6, -6, 12, 12));
            renderer.setSeriesStroke(line + 1, new BasicStroke(1.5f));
            renderer.setSeriesVisibleInLegend(line + 1, false);
        }
        NumberAxis x = new NumberAxis("fraction of image tokens kept");
        x.setInverted(true);
        x.setRange(-0.03, 1.03);
        NumberAxis y = new NumberAxis("target probability");
        double highest = p.clean().probability();
        for (Prediction[] order : orders) {
            for (Prediction q : order) {
                highest = Math.max(highest, q.probability());
            }
        }
        y.setRange(0, Math.min(1.02, Math.max(0.05, 1.1 * highest))); // small models' probabilities would hug the axis on 0–1
        XYPlot plot = new XYPlot(data, x, y, renderer);
        ValueMarker clean = new ValueMarker(p.clean().probability(), Style.CAPTION,
                new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
        clean.setLabel("clean");
        clean.setLabelFont(Style.SMALL);
        clean.setLabelBackgroundColor(new java.awt.Color(0, 0, 0, 0));
        clean.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        clean.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(clean);
        return new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }
}
