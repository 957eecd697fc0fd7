package headwise.app.ui.head;

import headwise.viz.draw.Scales;
import headwise.viz.view.Labels;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.Locale;

/** The q/k projection of one head as a JFreeChart scatter: queries and keys in two colours, tokens as tooltips. */
public final class QkScatter {

    private final ChartViewer viewer = new ChartViewer(null);

    public QkScatter() {
        viewer.setId("qk-scatter");
        viewer.setPrefSize(380, 300);
    }

    /** Points per series at most. */
    static final int MAX_POINTS = 1000;

    public ChartViewer view() {
        return viewer;
    }

    public JFreeChart chart() {
        return viewer.getChart();
    }

    public void show(QkProjection p, String[] tokens) {
        XYSeries queries = new XYSeries("queries", false);
        XYSeries keys = new XYSeries("keys", false);
        // a JFreeChart of 8k points is redrawn on the FX thread at every repaint: long inputs show every step-th token
        int step = Math.max(1, (p.queries().length + MAX_POINTS - 1) / MAX_POINTS);
        for (int i = 0; i < p.queries().length; i += step) {
            queries.add(p.queries()[i][0], p.queries()[i][1], false);
        }
        for (int i = 0; i < p.keys().length; i += step) {
            keys.add(p.keys()[i][0], p.keys()[i][1], false);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(queries);
        data.addSeries(keys);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesPaint(0, Scales.series(0));
        renderer.setSeriesPaint(1, Scales.series(1));
        renderer.setSeriesShape(0, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        renderer.setSeriesShape(1, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        renderer.setDefaultToolTipGenerator((dataset, series, item) ->
                (series == 0 ? "query " : "key ") + item * step + " \u201C" + (tokens == null || item * step >= tokens.length ? item * step
                        : Labels.shorten(tokens[item * step])) + "\u201D");
        XYPlot plot = new XYPlot(data, new NumberAxis(String.format(Locale.ROOT, "PC1 (%.0f%%)", 100 * p.explained()[0])),
                new NumberAxis(String.format(Locale.ROOT, "PC2 (%.0f%%)", 100 * p.explained()[1])), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        JFreeChart chart = new JFreeChart("q/k projection, layer " + p.layer() + " head " + p.head()
                + (step > 1 ? " (every " + step + "th token)" : ""),
                JFreeChart.DEFAULT_TITLE_FONT.deriveFont(12f), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        viewer.setChart(chart);
    }
}
