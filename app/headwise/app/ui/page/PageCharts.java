package headwise.app.ui.page;

import headwise.viz.draw.Text;
import headwise.viz.draw.Scales;
import headwise.viz.draw.ChartBlock;
import headwise.viz.draw.Style;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * JFreeChart charts for the pages, styled like the exported figures ({@link ChartBlock#style}), in the series colours
 * of {@link Scales#series}; every point and bar has a tooltip with its series and value.
 */
final class PageCharts {

    static final Color HIGHLIGHT = new Color(0xD5, 0x5E, 0x00);

    /** One line over layers. */
    record Line(String name, double[] values) {
    }

    private PageCharts() {
    }

    /** A chart in a viewer of a fixed preferred size. */
    static ChartViewer viewer(JFreeChart chart, double width, double height) {
        ChartViewer viewer = new ChartViewer(chart);
        viewer.setPrefSize(width, height);
        viewer.setMinSize(200, 160);
        return viewer;
    }

    /** Lines over layers (x = layer index), markers on every point, category colours. */
    static JFreeChart layerLines(String title, String xLabel, String yLabel, List<Line> lines) {
        XYSeriesCollection data = new XYSeriesCollection();
        int layers = 1;
        for (Line line : lines) {
            XYSeries s = new XYSeries(line.name(), false, true);
            for (int l = 0; l < line.values().length; l++) {
                if (Double.isFinite(line.values()[l])) {
                    s.add(l, line.values()[l]);
                }
            }
            data.addSeries(s);
            layers = Math.max(layers, line.values().length);
        }
        NumberAxis x = new NumberAxis(xLabel);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.5, Math.max(0.5, layers - 0.5));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int i = 0; i < lines.size(); i++) {
            renderer.setSeriesPaint(i, Scales.series(i));
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        renderer.setDefaultToolTipGenerator((dataset, series, item) -> dataset.getSeriesKey(series) + ": " + xLabel + " "
                + Math.round(dataset.getXValue(series, item)) + ", " + Text.precise(dataset.getYValue(series, item)));
        XYPlot plot = new XYPlot(data, x, new NumberAxis(yLabel), renderer);
        return ChartBlock.style(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, lines.size() > 1));
    }

    /**
     * Bars, one per label; the bar {@code highlighted} returns (−1: none) is drawn in {@link #HIGHLIGHT}, read at
     * each repaint, so a hover only needs a redraw.
     */
    static JFreeChart bars(String title, String yLabel, String[] labels, double[] values, double upper, IntSupplier highlighted) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < labels.length; i++) {
            data.addValue(Double.isFinite(values[i]) ? values[i] : 0, "value", i + " " + labels[i]);
        }
        BarRenderer renderer = new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return column == highlighted.getAsInt() ? HIGHLIGHT : Scales.series(0);
            }
        };
        renderer.setDefaultToolTipGenerator((dataset, row, column) -> {
            Number v = dataset.getValue(row, column);
            return dataset.getColumnKey(column) + ": " + (v == null ? "none" : Text.precise(v.doubleValue()));
        });
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        CategoryAxis x = new CategoryAxis(null);
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        x.setTickLabelFont(Style.SMALL);
        x.setMaximumCategoryLabelWidthRatio(0.6f);
        NumberAxis y = new NumberAxis(yLabel);
        if (upper > 0) {
            y.setRange(0, upper);
        }
        y.setTickLabelFont(Style.SMALL);
        y.setLabelFont(Style.LABEL);
        CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Style.BACKGROUND);
        plot.setRangeGridlinePaint(Style.GRID);
        plot.setOutlinePaint(Style.FRAME);
        return ChartBlock.style(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false));
    }
}
