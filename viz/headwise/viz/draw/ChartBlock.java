package headwise.viz.draw;

import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.chart.entity.ChartEntity;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleInsets;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/**
 * A JFreeChart drawn as a block of a figure ({@code JFreeChart.draw} on the figure's Graphics2D, so it is vector
 * in SVG and PDF), restyled to the figures' fonts and colours.
 */
public final class ChartBlock implements Block {

    private final JFreeChart chart;
    private final double width;
    private final double height;
    /** Where the last draw put each bar and point, and the corner it was drawn at (for the readout). */
    private volatile ChartRenderingInfo drawn;
    private volatile double drawnX;
    private volatile double drawnY;

    public ChartBlock(JFreeChart chart, double width, double height) {
        this.chart = style(chart);
        this.width = width;
        this.height = height;
    }

    @Override
    public double width() {
        return width;
    }

    @Override
    public double height() {
        return height;
    }

    @Override
    public String readout(double x, double y) {
        ChartRenderingInfo info = drawn;
        if (info == null || info.getEntityCollection() == null) {
            return null;
        }
        ChartEntity entity = info.getEntityCollection().getEntity(x + drawnX, y + drawnY);
        if (entity instanceof XYItemEntity item) {
            var data = item.getDataset();
            return data.getSeriesKey(item.getSeriesIndex()) + ": " + Text.precise(data.getXValue(item.getSeriesIndex(), item.getItem()))
                    + ", " + Text.precise(data.getYValue(item.getSeriesIndex(), item.getItem()));
        }
        if (entity instanceof CategoryItemEntity item) {
            Number v = item.getDataset().getValue(item.getRowKey(), item.getColumnKey());
            return item.getColumnKey() + ": " + (v == null ? "none" : Text.precise(v.doubleValue()));
        }
        return null;
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new Rectangle2D.Double(x, y, width, height), null, info);
        drawnX = x;
        drawnY = y;
        drawn = info;
        Style.hints(g); // JFreeChart leaves its own hints behind
    }

    /** White, light grid, SansSerif fonts (JFreeChart's default Tahoma would become Courier in PDF). */
    public static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Style.BACKGROUND);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(2, 2, 2, 2));
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(Style.HEADING);
            chart.getTitle().setPaint(Style.TEXT);
        }
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setItemFont(Style.SMALL);
            legend.setFrame(BlockBorder.NONE);
        }
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(Style.BACKGROUND);
            plot.setDomainGridlinePaint(Style.GRID);
            plot.setRangeGridlinePaint(Style.GRID);
            plot.setOutlinePaint(Style.FRAME);
            plot.setOutlineStroke(new BasicStroke(1f)); // JFreeChart's 0.5 thin lines vanish in some SVG viewers
            plot.setDomainGridlineStroke(new BasicStroke(1f));
            plot.setRangeGridlineStroke(new BasicStroke(1f));
            axis(plot.getDomainAxis());
            axis(plot.getRangeAxis());
        }
        return chart;
    }

    private static void axis(ValueAxis axis) {
        axis.setLabelFont(Style.LABEL);
        axis.setLabelPaint(Style.TEXT);
        axis.setTickLabelFont(Style.SMALL);
        axis.setTickLabelPaint(Style.TEXT);
        axis.setAxisLinePaint(Style.FRAME);
        axis.setAxisLineStroke(new BasicStroke(1f));
        axis.setTickMarkPaint(Style.FRAME);
        if (axis instanceof NumberAxis n) {
            n.setAutoRangeIncludesZero(false);
        }
    }
}
