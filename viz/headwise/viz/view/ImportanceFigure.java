package headwise.viz.view;

import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.Scales;

import java.util.ArrayList;
import java.util.List;

/**
 * Head importance side by side: one L×H matrix per measure (its own colour scale, min to max), then the Spearman
 * rank agreement between the measures (−1 to 1, values written in the cells), because the measures disagree.
 */
public final class ImportanceFigure extends BlockFigure {

    /**
     * One measure.
     *
     * @param name   heading ("ablation Δloss")
     * @param note   a short grey line under it (what higher means), or null
     * @param scores [layer][head]
     */
    public record Measure(String name, String note, double[][] scores) {
    }

    /**
     * @param names the measures compared (rows and columns of {@code rho}), or null for no agreement panel
     * @param rho   Spearman correlations [i][j]
     */
    public ImportanceFigure(String title, List<Measure> measures, List<String> names, double[][] rho) {
        super(new Header(title, "each matrix: layers (rows) \u00D7 heads (columns), coloured from its own smallest to largest score "
                + "(blue\u2013red around 0 where scores take both signs)"),
                body(measures, names, rho));
    }

    private static Block body(List<Measure> measures, List<String> names, double[][] rho) {
        List<Block> blocks = new ArrayList<>();
        for (Measure m : measures) {
            double[][] s = m.scores();
            int heads = s[0].length;
            int cell = Math.max(10, Math.min(26, 260 / heads));
            MatrixPanel panel = MatrixPanel.headMap(s, cell, Scales.importance(s), false);
            blocks.add(new MatrixBlock(m.name(), m.note(), panel, null));
        }
        if (names != null && rho != null) {
            String[] labels = names.toArray(String[]::new);
            MatrixPanel panel = MatrixPanel.of(rho, labels, labels, 48, Scales.correlation(), true);
            blocks.add(new MatrixBlock("rank agreement", "Spearman \u03C1 between the measures' head rankings", panel, "\u03C1"));
        }
        return new BlockGrid(blocks, 3);
    }

    /** The smallest finite value ({@link Scales#min}). */
    public static double min(double[][] values) {
        return Scales.min(values);
    }

    /** The largest finite value ({@link Scales#max}). */
    public static double max(double[][] values) {
        return Scales.max(values);
    }
}
