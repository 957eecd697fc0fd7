package headwise.app.ui.probe;

import headwise.viz.draw.ChartBlock;
import headwise.viz.draw.Text;
import headwise.viz.view.ProbeFigure;
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
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.List;

/**
 * The Probing page's chart: one metric per block for every probe (linear and attentive, clean, noisy and at lower
 * precision; variants dashed), with the depth of the linear probe (and of the attentive one) marked.
 */
final class ProbeChart {

    private static final Color[] COLOURS = {new Color(0x00, 0x72, 0xB2), new Color(0xE6, 0x9F, 0x00), new Color(0x00, 0x9E, 0x73),
            new Color(0xD5, 0x5E, 0x00), new Color(0xCC, 0x79, 0xA7), new Color(0x56, 0xB4, 0xE9), new Color(0x99, 0x99, 0x99)};

    private ProbeChart() {
    }

    /**
     * @param depth          the linear probe's depth
     * @param attentiveDepth the attentive probe's, or −1
     */
    static JFreeChart of(String title, String metric, List<ProbeFigure.Curve> curves, int depth, int attentiveDepth) {
        XYSeriesCollection data = new XYSeriesCollection();
        int layers = 1;
        for (ProbeFigure.Curve curve : curves) {
            XYSeries series = new XYSeries(curve.name(), false, true);
            for (int l = 0; l < curve.accuracy().length; l++) {
                if (Double.isFinite(curve.accuracy()[l])) {
                    series.add(l, curve.accuracy()[l]);
                }
            }
            data.addSeries(series);
            layers = Math.max(layers, curve.accuracy().length);
        }
        NumberAxis x = new NumberAxis("block");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.5, Math.max(0.5, layers - 0.5));
        NumberAxis y = new NumberAxis(metric + " on the test split");
        y.setRange(0, 1.05);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int i = 0; i < curves.size(); i++) {
            boolean variant = curves.get(i).name().contains(", ");
            renderer.setSeriesPaint(i, COLOURS[i % COLOURS.length]);
            renderer.setSeriesStroke(i, variant
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2.5f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        // the value under the cursor, as the other figures give it: "linear: block 3, accuracy 0.9120"
        renderer.setDefaultToolTipGenerator((dataset, series, item) -> dataset.getSeriesKey(series) + ": block "
                + Math.round(dataset.getXValue(series, item)) + ", " + metric + " " + Text.precise(dataset.getYValue(series, item)));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.addDomainMarker(marker(depth, "depth " + depth, COLOURS[0], TextAnchor.TOP_LEFT));
        if (attentiveDepth >= 0) {
            plot.addDomainMarker(marker(attentiveDepth, "attentive depth " + attentiveDepth, COLOURS[1], TextAnchor.BOTTOM_LEFT));
        }
        return ChartBlock.style(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    }

    private static ValueMarker marker(int block, String label, Color colour, TextAnchor anchor) {
        ValueMarker marker = new ValueMarker(block, colour,
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {3f, 3f}, 0f));
        marker.setLabel(label);
        marker.setLabelPaint(colour);
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        marker.setLabelFont(headwise.viz.draw.Style.LABEL);
        marker.setLabelAnchor(anchor == TextAnchor.TOP_LEFT ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.BOTTOM_RIGHT);
        marker.setLabelTextAnchor(anchor);
        return marker;
    }
}
