package headwise.viz.corpus;

import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.ChartBlock;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;

/**
 * A head metric layer by layer over a corpus (JFreeChart): for each layer the distribution over prompts of the
 * layer's mean over heads, as the median line inside the p10–p90 band, and the mean as a second line.
 */
public final class LayerBandsFigure extends BlockFigure {

    private static final Color BAND = new Color(0x00, 0x72, 0xB2);
    private static final Color MEAN = new Color(0xD5, 0x5E, 0x00);

    /** @param p10 [layer]; likewise p50, p90 and mean (NaN where the metric applied to no prompt) */
    public LayerBandsFigure(String title, String metric, double[] p10, double[] p50, double[] p90, double[] mean) {
        super(new Header(title, "each prompt's mean over the layer's heads; line: median, band: p10 to p90 over the prompts"),
                new ChartBlock(chart(metric, p10, p50, p90, mean), 520, 300));
    }

    @Override
    public void draw(Graphics2D g) {
        g.setColor(Style.BACKGROUND);
        g.fillRect(0, 0, width() + 1, height() + 1); // a PNG rounds the size up: no unpainted last column
        super.draw(g);
    }

    private static JFreeChart chart(String metric, double[] p10, double[] p50, double[] p90, double[] mean) {
        YIntervalSeries band = new YIntervalSeries("median, p10\u2013p90");
        YIntervalSeries average = new YIntervalSeries("mean");
        for (int l = 0; l < p50.length; l++) {
            if (Double.isFinite(p50[l])) {
                band.add(l, p50[l], p10[l], p90[l]);
                average.add(l, mean[l], mean[l], mean[l]);
            }
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        data.addSeries(band);
        data.addSeries(average);
        DeviationRenderer renderer = new DeviationRenderer(true, true);
        renderer.setSeriesPaint(0, BAND);
        renderer.setSeriesFillPaint(0, BAND);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesPaint(1, MEAN);
        renderer.setSeriesFillPaint(1, MEAN);
        renderer.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {5f, 4f}, 0f));
        renderer.setAlpha(0.22f);
        NumberAxis x = new NumberAxis("layer");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.3, Math.max(0.3, p50.length - 0.7));
        NumberAxis y = new NumberAxis(metric);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        return new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }
}
