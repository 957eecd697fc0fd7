package headwise.viz.view;

import headwise.viz.draw.Scales;
import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.MatrixPanel;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer-wise metrics as line charts (JFreeChart): each metric's mean over heads per layer, with every head as a faint
 * dot, plus the layer-similarity matrix when given.
 */
public final class LayerChartsFigure extends BlockFigure {

    /**
     * One chart.
     *
     * @param title    chart title (ASCII keeps it text in PDF)
     * @param yLabel   y axis label
     * @param perLayer [layer] values, the line
     * @param perHead  [layer][head] values, the dots, or null
     */
    public record Series(String title, String yLabel, double[] perLayer, double[][] perHead) {
    }

    /** @param layerSimilarity [layer][layer] cosine similarities, or null */
    public LayerChartsFigure(String title, List<Series> series, double[][] layerSimilarity) {
        super(new Header(title, "per layer: the line is the mean over heads, the grey dots are single heads"),
                body(series, layerSimilarity));
    }

    private static Block body(List<Series> series, double[][] layerSimilarity) {
        List<Block> blocks = new ArrayList<>();
        Color[] colours = {LayerCharts.MEAN};
        for (Series s : series) {
            blocks.add(LayerCharts.chart(s.title(), s.yLabel(), List.of(new LayerCharts.Line("mean over heads", s.perLayer())),
                    s.perHead(), colours));
        }
        if (layerSimilarity != null) {
            int layers = layerSimilarity.length;
            int cell = Math.max(12, Math.min(40, 220 / layers));
            MatrixPanel panel = MatrixPanel.of(layerSimilarity, Labels.indices("L", layers), Labels.indices("L", layers), cell,
                    Scales.score(Scales.min(layerSimilarity), 1), true).named("layer", "layer");
            blocks.add(new MatrixBlock("Layer similarity", "cosine of head-averaged attention", panel, "cosine"));
        }
        return new BlockGrid(blocks, 2);
    }

}
