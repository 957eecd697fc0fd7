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
import java.util.Locale;

/**
 * Layer-wise probing (docs/probing.md): test accuracy, F1 and AUC per block as lines, the embedding's scores and the
 * depth in the caption, and the per-head accuracy map beside them when there is one.
 */
public final class ProbeFigure extends BlockFigure {

    /**
     * One probe's scores.
     *
     * @param accuracy [L] per block
     * @param f1       [L]
     * @param auc      [L]
     */
    public record Curves(double[] accuracy, double[] f1, double[] auc) {
    }

    /**
     * @param embedding   accuracy, F1 and AUC of the probe on the embedding output
     * @param depth       the first block reaching 90% of the best accuracy
     * @param headAccuracy [L][H] accuracies, or null
     */
    public ProbeFigure(String title, Curves curves, double[] embedding, int depth, double[][] headAccuracy) {
        super(new Header(title, String.format(Locale.ROOT, "test split, per block; embedding: accuracy %.3f, F1 %.3f, AUC %.3f;"
                + " depth %d (first block at 90%% of the best accuracy)", embedding[0], embedding[1], embedding[2], depth)),
                body(curves, headAccuracy));
    }

    private static Block body(Curves curves, double[][] headAccuracy) {
        List<Block> blocks = new ArrayList<>();
        Color[] colours = {Scales.series(0), Scales.series(1), Scales.series(2)};
        blocks.add(LayerCharts.chart("Linear probe", "score", List.of(new LayerCharts.Line("accuracy", curves.accuracy()),
                new LayerCharts.Line("F1", curves.f1()), new LayerCharts.Line("AUC", curves.auc())), null, colours));
        if (headAccuracy != null) {
            int layers = headAccuracy.length;
            int heads = headAccuracy[0].length;
            int cell = Math.max(12, Math.min(40, 260 / Math.max(layers, heads)));
            MatrixPanel panel = MatrixPanel.of(headAccuracy, Labels.indices("L", layers), Labels.indices("H", heads), cell,
                    Scales.score(Math.min(0.5, Scales.min(headAccuracy)), 1), cell >= 28).named("layer", "head");
            blocks.add(new MatrixBlock("Per-head probes", "accuracy of a probe on each head's hook_z", panel, "accuracy"));
        }
        return new BlockGrid(blocks, 2);
    }
}
