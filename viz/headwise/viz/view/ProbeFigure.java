package headwise.viz.view;

import headwise.engine.analysis.probe.ProbeCurve;
import headwise.engine.analysis.probe.ProbeResult;
import headwise.engine.analysis.probe.ProbeVariant;
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
import java.util.function.Function;

/**
 * Layer-wise probing (docs/probing.md): test accuracy, F1 and AUC per block of the linear probe as lines, the
 * embedding's scores and the depth in the caption; when there are more probes (attentive, with noise, at lower
 * precision) every probe's accuracy on one chart; the per-head accuracy map and the attentive probe's attention over
 * one example's tokens when there are.
 */
public final class ProbeFigure extends BlockFigure {

    /** Categorical colours (Okabe–Ito), the first the linear probe's. */
    static final Color[] COLOURS = {Scales.series(0), Scales.series(1), Scales.series(2), Scales.series(3), Scales.series(4),
            Scales.series(5), Scales.series(6), Scales.series(7)};

    /**
     * One probe's scores.
     *
     * @param accuracy [L] per block
     * @param f1       [L]
     * @param auc      [L]
     */
    public record Curves(double[] accuracy, double[] f1, double[] auc) {
    }

    /** One probe's accuracy per block [L], named for the legend ("linear", "attentive", "linear, noise σ=0.5"…). */
    public record Curve(String name, double[] accuracy) {
    }

    /**
     * The attentive probe's attention over one example at one block.
     *
     * @param weights [M][T] each query's attention over the tokens
     */
    public record Attention(int block, String example, String[] tokens, double[][] weights) {
    }

    /**
     * @param embedding    accuracy, F1 and AUC of the probe on the embedding output
     * @param depth        the first block reaching 90% of the best accuracy
     * @param headAccuracy [L][H] accuracies, or null
     */
    public ProbeFigure(String title, Curves curves, double[] embedding, int depth, double[][] headAccuracy) {
        this(title, curves, embedding, depth, List.of(), headAccuracy, null);
    }

    /**
     * @param accuracies every probe's accuracy on one chart (drawn when there are two or more), or empty
     * @param attention  the attentive probe's attention, or null
     */
    public ProbeFigure(String title, Curves curves, double[] embedding, int depth, List<Curve> accuracies, double[][] headAccuracy,
                       Attention attention) {
        super(new Header(title, String.format(Locale.ROOT, "test split, per block; embedding: accuracy %.3f, F1 %.3f, AUC %.3f;"
                + " depth %d (first block at 90%% of the best accuracy)", embedding[0], embedding[1], embedding[2], depth)),
                body(curves, accuracies, headAccuracy, attention));
    }

    /**
     * The figure of a probing result: every probe's accuracy (linear, attentive, each variant's), the linear probe's
     * scores, the head map, and the attentive probes' attention at {@code attentionBlock} (−1: the block where the
     * attentive probe is best).
     */
    public static ProbeFigure of(ProbeResult result, String title, int attentionBlock) {
        ProbeCurve linear = result.linear();
        Curves curves = new Curves(linear.accuracy(), linear.f1(), linear.auc());
        double[] embedding = {linear.embedding().accuracy(), linear.embedding().f1(), linear.embedding().auc()};
        Attention attention = null;
        if (result.attention() != null) {
            double[] accuracy = result.attentive().accuracy();
            int block = attentionBlock >= 0 ? attentionBlock : best(accuracy);
            attention = new Attention(block, "example " + result.attention().example() + " (row " + result.attention().row() + ")",
                    result.attention().tokens(), result.attention().weights()[block]);
        }
        return new ProbeFigure(title, curves, embedding, linear.depth(), curves(result, ProbeCurve::accuracy), result.headAccuracy(),
                attention);
    }

    /**
     * Every probe's {@code metric} per block (accuracy, F1 or AUC), named: "linear", "attentive", then per variant
     * "linear, NAME", "attentive, NAME".
     */
    public static List<Curve> curves(ProbeResult result, Function<ProbeCurve, double[]> metric) {
        List<Curve> out = new ArrayList<>();
        out.add(new Curve("linear", metric.apply(result.linear())));
        if (result.attentive() != null) {
            out.add(new Curve("attentive", metric.apply(result.attentive())));
        }
        for (ProbeVariant variant : result.variants()) {
            out.add(new Curve("linear, " + variant.name(), metric.apply(variant.linear())));
            if (variant.attentive() != null) {
                out.add(new Curve("attentive, " + variant.name(), metric.apply(variant.attentive())));
            }
        }
        return out;
    }

    private static int best(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static Block body(Curves curves, List<Curve> accuracies, double[][] headAccuracy, Attention attention) {
        List<Block> blocks = new ArrayList<>();
        if (accuracies.size() > 1) {
            blocks.add(LayerCharts.chart("Accuracy of every probe", "accuracy",
                    accuracies.stream().map(c -> new LayerCharts.Line(c.name(), c.accuracy())).toList(), null, COLOURS, plot -> {
                        unitRange(plot);
                        for (int i = 0; i < accuracies.size(); i++) {
                            if (accuracies.get(i).name().contains(", ")) { // a variant: dashed, so the curves it covers show
                                plot.getRenderer().setSeriesStroke(i, new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT,
                                        java.awt.BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
                            }
                        }
                    }));
        }
        blocks.add(LayerCharts.chart("Linear probe", "score", List.of(new LayerCharts.Line("accuracy", curves.accuracy()),
                new LayerCharts.Line("F1", curves.f1()), new LayerCharts.Line("AUC", curves.auc())), null, COLOURS,
                ProbeFigure::unitRange));
        if (headAccuracy != null) {
            blocks.add(headMap(headAccuracy));
        }
        if (attention != null) {
            blocks.add(attentionMap(attention));
        }
        return new BlockGrid(blocks, 2);
    }

    /** Scores lie in [0, 1]: a fixed axis (an auto range over a flat curve of 1.0 would label every tick "1E0"). */
    private static void unitRange(org.jfree.chart.plot.XYPlot plot) {
        plot.getRangeAxis().setRange(0, 1.05);
    }

    /** The L×H map of per-head probe accuracies (rows: blocks). */
    public static MatrixBlock headMap(double[][] headAccuracy) {
        return new MatrixBlock("Per-head probes", "accuracy of a probe on each head's hook_z", headPanel(headAccuracy), "accuracy");
    }

    /** The same map as a figure of its own, for a view that maps clicks to heads. */
    public static MatrixFigure headFigure(double[][] headAccuracy, String caption) {
        MatrixPanel p = headPanel(headAccuracy);
        int cell = headCell(headAccuracy);
        return MatrixFigure.of("Per-head probes", caption, headAccuracy, Labels.indices("L", headAccuracy.length),
                Labels.indices("H", headAccuracy[0].length), cell, p.scale(), cell >= 28, "accuracy");
    }

    private static int headCell(double[][] headAccuracy) {
        return Math.max(12, Math.min(40, 260 / Math.max(headAccuracy.length, headAccuracy[0].length)));
    }

    private static MatrixPanel headPanel(double[][] h) {
        int cell = headCell(h);
        return MatrixPanel.of(h, Labels.indices("L", h.length), Labels.indices("H", h[0].length), cell,
                Scales.score(Math.min(0.5, Scales.min(h)), 1), cell >= 28).named("layer", "head");
    }

    /** The probe's M queries (rows) over the example's tokens (columns), like an attention map. */
    public static MatrixBlock attentionMap(Attention attention) {
        return new MatrixBlock(attentionTitle(attention), attentionCaption(attention), attentionPanel(attention), "attention");
    }

    /** The same map as a figure of its own. */
    public static MatrixFigure attentionFigure(Attention attention) {
        MatrixPanel p = attentionPanel(attention);
        double[][] w = attention.weights();
        return MatrixFigure.of(attentionTitle(attention), attentionCaption(attention), w, Labels.indices("q", w.length),
                Labels.tokens(attention.tokens(), w[0].length), attentionCell(w), p.scale(), false, "attention");
    }

    private static String attentionTitle(Attention attention) {
        return "Attentive probe, block " + attention.block();
    }

    private static String attentionCaption(Attention attention) {
        return attention.example() + ": each query's attention over the tokens";
    }

    private static int attentionCell(double[][] w) {
        return Math.max(10, Math.min(36, 380 / Math.max(w[0].length, w.length)));
    }

    private static MatrixPanel attentionPanel(Attention attention) {
        double[][] w = attention.weights();
        double max = 0;
        for (double[] row : w) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        return MatrixPanel.of(w, Labels.indices("q", w.length), Labels.tokens(attention.tokens(), w[0].length), attentionCell(w),
                Scales.attention(max > 0 ? max : 1), false);
    }
}
