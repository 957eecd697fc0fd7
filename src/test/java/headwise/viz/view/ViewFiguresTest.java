package headwise.viz.view;

import headwise.engine.Fixtures;
import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.analysis.LayerSimilarity;
import headwise.engine.analysis.Sinks;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.importance.RankAgreement;
import headwise.engine.npy.Npy;
import headwise.engine.run.AttentionMaps;
import headwise.viz.FigureChecks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every view drawn from the gpt2_f32 fixture's reference attention (3 layers × 4 heads, 12 tokens), written as
 * PNG, SVG and PDF to target/screenshots/view-*.{png,svg,pdf} and opened again. The token labels include
 * characters the PDF base fonts lack (drawn as outlines there) and XML specials (escaped in SVG).
 */
class ViewFiguresTest {

    static final String[] TOKENS = {"<|bos|>", "\u0120The", " cat", " sat", " on", " the", " mat", "(", "caf\u00E9", "&", "\u2192", "."};

    static AttentionMaps attention() {
        Npy.FloatArray a = Fixtures.reference("gpt2_f32", "attention.npy");
        long[] s = a.shape();
        return new AttentionMaps((int) s[0], (int) s[1], (int) s[2], a.values());
    }

    @Test
    void modelView() throws Exception {
        AttentionMaps a = attention();
        int[][] category = new int[a.layers()][a.heads()];
        double[][] importance = new double[a.layers()][a.heads()];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                category[l][h] = (l + h) % 3 == 0 ? (l + h) % 2 : -1;
                importance[l][h] = (l * a.heads() + h - 3) / 10.0;
            }
        }
        HeadMarks marks = new HeadMarks(List.of("previous-token", "sink"), category, importance, "ablation \u0394loss");
        ModelViewFigure figure = new ModelViewFigure(ModelThumbnails.of(a), "gpt2_f32 \u00B7 model view", marks);
        FigureChecks.writeAndCheck(figure, "view-model", "H0", "L2", "previous-token", "sink");
        FigureChecks.writeAndCheck(new ModelViewFigure(ModelThumbnails.of(a), "no marks", HeadMarks.none()), "view-model-plain", "H3");
    }

    @Test
    void modelViewThumbnailsAreOneImageWithWholeCells() {
        assertTrue(ModelViewFigure.thumbSizeFor(12, 12) % 12 == 0);
        assertTrue(ModelViewFigure.thumbSizeFor(12, 500) >= 24);
        assertTrue(ModelViewFigure.thumbSizeFor(32, 8) >= 24);
    }

    @Test
    void heatmapOfARealHead() throws Exception {
        AttentionMaps a = attention();
        FigureChecks.writeAndCheck(new HeadHeatmapFigure(a.head(2, 1), a.length(), TOKENS, "gpt2_f32 \u00B7 layer 2, head 1", false),
                "view-heatmap", "\u0120The", "&", "caf\u00E9");
    }

    @Test
    void headViewOneHeadAndAllHeads() throws Exception {
        AttentionMaps a = attention();
        FigureChecks.writeAndCheck(new HeadViewFigure(a, 1, new int[] {2}, TOKENS, "gpt2_f32 \u00B7 head view"), "view-head-view",
                " cat", "(");
        FigureChecks.writeAndCheck(new HeadViewFigure(a, 1, new int[] {0, 1, 2, 3}, TOKENS, "gpt2_f32 \u00B7 head view, layer 1"),
                "view-head-view-all", "head 3");
        assertThrows(IllegalArgumentException.class, () -> new HeadViewFigure(a, 1, new int[] {4}, TOKENS, "t"));
    }

    /** A hand-built graph (the flow analysis is another branch): residual edges up every token, attention into the last. */
    static ContributionGraph graph(int layers, int tokens) {
        List<ContributionGraph.Edge> edges = new ArrayList<>();
        for (int l = 1; l <= layers; l++) {
            for (int t = 0; t < tokens; t++) {
                edges.add(new ContributionGraph.Edge(l, t, t, 0.3 + 0.05 * (t % 5), ContributionGraph.Kind.RESIDUAL));
            }
            edges.add(new ContributionGraph.Edge(l, 0, tokens - 1, 0.6 / l, ContributionGraph.Kind.ATTENTION));
            edges.add(new ContributionGraph.Edge(l, l, tokens - 1, 0.15, ContributionGraph.Kind.ATTENTION));
            edges.add(new ContributionGraph.Edge(l, tokens - 2, tokens - 1, 0.9, ContributionGraph.Kind.ATTENTION));
        }
        return new ContributionGraph(layers, tokens, tokens - 1, 0.04, edges);
    }

    @Test
    void flowGraph() throws Exception {
        FigureChecks.writeAndCheck(new FlowGraphFigure(graph(3, TOKENS.length), TOKENS, "gpt2_f32 \u00B7 information flow"),
                "view-flow", "layer 3", "emb", " mat");
    }

    @Test
    void importanceWithRankAgreement() throws Exception {
        AttentionMaps a = attention();
        double[][] entropy = AttentionStatistics.entropy(a);
        double[][] confidence = AttentionStatistics.confidence(a);
        double[][] distance = AttentionStatistics.meanDistance(a);
        List<ImportanceFigure.Measure> measures = List.of(
                new ImportanceFigure.Measure("entropy", "nats; low: focused", entropy),
                new ImportanceFigure.Measure("confidence", "mean max weight", confidence),
                new ImportanceFigure.Measure("mean distance", "tokens", distance));
        RankAgreement.Matrix rho = RankAgreement.matrix(List.of(new RankAgreement.NamedScores("entropy", entropy),
                new RankAgreement.NamedScores("confidence", confidence), new RankAgreement.NamedScores("distance", distance)));
        FigureChecks.writeAndCheck(new ImportanceFigure("gpt2_f32 \u00B7 head importance", measures, rho.names(), rho.rho()),
                "view-importance", "entropy", "confidence", "rank agreement", "1.00");
    }

    @Test
    void layerCharts() throws Exception {
        AttentionMaps a = attention();
        double[][] entropy = AttentionStatistics.entropy(a);
        double[][] distance = AttentionStatistics.meanDistance(a);
        List<LayerChartsFigure.Series> series = List.of(
                new LayerChartsFigure.Series("Attention entropy", "nats", AttentionStatistics.layerMeans(entropy), entropy),
                new LayerChartsFigure.Series("Mean attention distance", "tokens", AttentionStatistics.layerMeans(distance), distance),
                new LayerChartsFigure.Series("First-token mass", "attention on token 0", Sinks.firstTokenMass(a), null));
        FigureChecks.writeAndCheck(new LayerChartsFigure("gpt2_f32 \u00B7 layers", series, LayerSimilarity.of(a)), "view-layers",
                "Attention entropy", "layer", "Layer similarity");
    }

    @Test
    void sinkCharts() throws Exception {
        AttentionMaps a = attention();
        double[][][] scores = Sinks.scores(a, true);
        double[] rate = Sinks.rate(scores, Sinks.DEFAULT_EPSILON);
        FigureChecks.writeAndCheck(new SinkChartsFigure("gpt2_f32 \u00B7 sinks", TOKENS, scores, rate, Sinks.DEFAULT_EPSILON),
                "view-sinks", "Sink mass per layer", "100 %", "<|bos|>");
    }

    @Test
    void compareSameAndDifferentLengths() throws Exception {
        AttentionMaps a = attention();
        float[] shifted = a.values().clone();
        int t = a.length();
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                int base = (l * a.heads() + h) * t * t;
                for (int q = 0; q < t; q++) { // move half of each row's weight onto the first token
                    float moved = 0;
                    for (int k = 1; k < t; k++) {
                        moved += shifted[base + q * t + k] / 2;
                        shifted[base + q * t + k] /= 2;
                    }
                    shifted[base + q * t] += moved;
                }
            }
        }
        AttentionMaps b = new AttentionMaps(a.layers(), a.heads(), t, shifted);
        FigureChecks.writeAndCheck(new CompareFigure("gpt2_f32 \u00B7 compare", new CompareFigure.Run("A: clean", a, TOKENS),
                new CompareFigure.Run("B: sink boosted", b, TOKENS), 1, 2), "view-compare", "A: clean", "B: sink boosted");

        int shortLength = 5;
        float[] cut = new float[a.layers() * a.heads() * shortLength * shortLength];
        for (int i = 0; i < cut.length; i++) {
            cut[i] = 1f / shortLength;
        }
        AttentionMaps c = new AttentionMaps(a.layers(), a.heads(), shortLength, cut);
        FigureChecks.writeAndCheck(new CompareFigure("different lengths", new CompareFigure.Run("A", a, TOKENS),
                new CompareFigure.Run("B", c, null), 0, 0), "view-compare-lengths", "A", "B");
    }
}
