package headwise.viz.view;

import headwise.viz.draw.Scales;
import headwise.viz.draw.ChartBlock;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.List;

/** Line charts over layers (x = layer index), as figure blocks. */
final class LayerCharts {

    static final Color MEAN = Scales.series(0);
    static final Color HEAD_DOTS = new Color(0x70, 0x70, 0x70, 110);
    static final double WIDTH = 380;
    static final double HEIGHT = 250;

    /** One line, named. */
    record Line(String name, double[] values) {
    }

    private LayerCharts() {
    }

    /**
     * @param lines   one value per layer each; drawn with markers in category colours (the first in {@link #MEAN})
     * @param perHead [layer][head] values drawn as faint dots behind the lines, or null
     */
    static ChartBlock chart(String title, String yLabel, List<Line> lines, double[][] perHead, Color[] colours) {
        return chart(title, yLabel, lines, perHead, colours, plot -> {
        });
    }

    /** As above; {@code adjust} changes the plot before it is drawn (a fixed range, dashed series). */
    static ChartBlock chart(String title, String yLabel, List<Line> lines, double[][] perHead, Color[] colours,
                            java.util.function.Consumer<XYPlot> adjust) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Line line : lines) {
            XYSeries s = new XYSeries(line.name(), false, true);
            for (int l = 0; l < line.values().length; l++) {
                if (Double.isFinite(line.values()[l])) {
                    s.add(l, line.values()[l]);
                }
            }
            data.addSeries(s);
        }
        if (perHead != null) {
            XYSeries dots = new XYSeries("one head", false, true);
            for (int l = 0; l < perHead.length; l++) {
                for (double v : perHead[l]) {
                    if (Double.isFinite(v)) {
                        dots.add(l, v);
                    }
                }
            }
            data.addSeries(dots);
        }
        int layers = lines.isEmpty() ? (perHead == null ? 1 : perHead.length) : lines.get(0).values().length;
        NumberAxis x = new NumberAxis("layer");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.5, Math.max(0.5, layers - 0.5));
        NumberAxis y = new NumberAxis(yLabel);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        Ellipse2D marker = new Ellipse2D.Double(-3, -3, 6, 6);
        for (int i = 0; i < lines.size(); i++) {
            renderer.setSeriesPaint(i, colours[i % colours.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesShape(i, marker);
            renderer.setSeriesShapesVisible(i, true);
        }
        if (perHead != null) {
            int i = lines.size();
            renderer.setSeriesPaint(i, HEAD_DOTS);
            renderer.setSeriesLinesVisible(i, false);
            renderer.setSeriesShapesVisible(i, true);
            renderer.setSeriesShape(i, new Ellipse2D.Double(-2, -2, 4, 4));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        // draw the dots first, under the lines
        plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.REVERSE);
        adjust.accept(plot);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, lines.size() > 1 || perHead != null);
        return new ChartBlock(chart, WIDTH, HEIGHT);
    }
}
