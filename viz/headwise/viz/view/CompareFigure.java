package headwise.viz.view;

import headwise.viz.draw.Scales;
import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.run.AttentionMaps;
import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.Header;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.MatrixPanel;
import headwise.viz.draw.ValueScale;

import java.util.ArrayList;
import java.util.List;

/**
 * Two runs side by side (two inputs, or a run with and without an intervention): one head's attention in A and in B
 * on a shared colour scale, their difference B − A on a diverging scale (when both have the same length), and the
 * per-head change of attention entropy B − A over the whole model.
 */
public final class CompareFigure extends BlockFigure {

    /** One run: a short name ("A: clean"), its attention and its tokens (null for positions). */
    public record Run(String name, AttentionMaps attention, String[] tokens) {
    }

    public CompareFigure(String title, Run a, Run b, int layer, int head) {
        super(new Header(title, caption(a, b, layer, head)), body(a, b, layer, head));
    }

    private static String caption(Run a, Run b, int layer, int head) {
        String cells = a.attention().length() == b.attention().length()
                ? "B \u2212 A cell by cell" : "different lengths (" + a.attention().length() + " and " + b.attention().length()
                + " tokens), so no cell-by-cell difference";
        return "layer " + layer + ", head " + head + ": A and B on one colour scale; " + cells + "; blue: B lower, red: B higher";
    }

    private static Block body(Run a, Run b, int layer, int head) {
        AttentionMaps x = a.attention();
        AttentionMaps y = b.attention();
        if (x.layers() != y.layers() || x.heads() != y.heads()) {
            throw new IllegalArgumentException("cannot compare " + x.layers() + "x" + x.heads() + " heads with " + y.layers() + "x" + y.heads());
        }
        float[] ma = x.head(layer, head);
        float[] mb = y.head(layer, head);
        double max = Math.max(HeadHeatmapFigure.max(ma, x.length()), HeadHeatmapFigure.max(mb, y.length()));
        ValueScale shared = Scales.attention(max);
        List<Block> blocks = new ArrayList<>();
        blocks.add(headBlock(a, ma, shared));
        blocks.add(headBlock(b, mb, shared));
        if (x.length() == y.length()) {
            int t = x.length();
            double limit = 0;
            for (int i = 0; i < t * t; i++) {
                limit = Math.max(limit, Math.abs(mb[i] - ma[i]));
            }
            String[] labels = Labels.tokens(a.tokens(), t);
            int cell = cellFor(t);
            MatrixPanel diff = new MatrixPanel(t, t, (q, k) -> mb[q * t + k] - ma[q * t + k], labels, labels, cell, cell,
                    Scales.signed(limit), false).named("query", "key");
            blocks.add(new MatrixBlock("B \u2212 A", "labels: A's tokens", diff, "difference"));
        }
        double[][] ea = AttentionStatistics.entropy(x);
        double[][] eb = AttentionStatistics.entropy(y);
        double[][] delta = new double[ea.length][ea[0].length];
        double limit = 0;
        for (int l = 0; l < ea.length; l++) {
            for (int h = 0; h < ea[0].length; h++) {
                delta[l][h] = eb[l][h] - ea[l][h];
                limit = Math.max(limit, Math.abs(delta[l][h]));
            }
        }
        int cell = Math.max(10, Math.min(26, 260 / x.heads()));
        MatrixPanel entropy = MatrixPanel.headMap(delta, cell, Scales.signed(limit), false);
        blocks.add(new MatrixBlock("Entropy change B \u2212 A", "per head, nats", entropy, "\u0394 entropy"));
        return new BlockGrid(blocks, 2);
    }

    private static Block headBlock(Run run, float[] matrix, ValueScale scale) {
        int t = run.attention().length();
        String[] labels = Labels.tokens(run.tokens(), t);
        int cell = cellFor(t);
        MatrixPanel panel = new MatrixPanel(t, t, (q, k) -> matrix[q * t + k], labels, labels, cell, cell, scale, false)
                .named("query", "key");
        return new MatrixBlock(run.name(), t + " tokens", panel, "attention");
    }

    /** Half the single heatmap's cell: two or three matrices side by side. */
    private static int cellFor(int length) {
        return Math.max(1, Math.min(28, 360 / Math.max(1, length)));
    }
}
