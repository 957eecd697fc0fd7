package headwise.app.export;

import headwise.app.session.Session;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.analysis.LayerSimilarity;
import headwise.engine.analysis.Sinks;
import headwise.engine.analysis.importance.RankAgreement;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.analysis.KeyClassMaps;
import headwise.viz.Figure;
import headwise.viz.corpus.AtlasData;
import headwise.viz.corpus.AtlasFigures;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.view.CompareFigure;
import headwise.viz.view.FlowGraphFigure;
import headwise.viz.view.HeadHeatmapFigure;
import headwise.viz.view.HeadViewFigure;
import headwise.viz.view.ImportanceFigure;
import headwise.viz.view.LayerChartsFigure;
import headwise.viz.view.ModelThumbnails;
import headwise.viz.view.ModelViewFigure;
import headwise.viz.view.SinkChartsFigure;
import headwise.viz.view.VitOverlayFigure;
import headwise.viz.vlm.KeyClassFigures;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Builds the figure of each view from a session. */
public final class ViewFigures {

    private ViewFigures() {
    }

    /** Why {@code view} cannot be drawn for this session, or null when it can. */
    public static String unavailable(ViewKind view, Session s) {
        return switch (view) {
            case FLOW -> s.flow() == null ? "the flow view needs the information-flow graph, which this session has not computed" : null;
            case IMPORTANCE -> s.ablation() == null && s.gradient() == null
                    ? "the importance view needs ablation or gradient importance, which this session has not computed" : null;
            case VIT_OVERLAY -> s.result().input().image() == null ? "the ViT overlay needs an image input (--image) to a vision model" : null;
            case COMPARE -> s.comparison() == null ? "the compare view needs a second run (--compare-text, --compare-ids or --compare-image)" : null;
            case RELEVANCE -> s.results().relevance() == null ? "the relevance view needs relevance maps, which this session has not computed" : null;
            case FAITHFULNESS -> s.results().faithfulness() == null
                    ? "the faithfulness view needs the relevance maps' deletion/insertion curves, which this session has not computed" : null;
            default -> null;
        };
    }

    /** The figure of {@code view}; a HeadwiseException saying what is missing when it is unavailable. */
    public static Figure figure(ViewKind view, Session s) {
        String missing = unavailable(view, s);
        if (missing != null) {
            throw new HeadwiseException(missing);
        }
        AnalysisResult r = s.result();
        AttentionMaps a = r.attention();
        String title = Titles.of(r) + " \u00B7 ";
        return switch (view) {
            case MODEL_VIEW -> modelView(s, title + "model view");
            case HEATMAP -> new HeadHeatmapFigure(a.head(s.layer(), s.headOrFirst()), a.length(), s.tokens(),
                    title + "layer " + s.layer() + ", head " + s.headOrFirst(), s.logScale());
            case HEAD_VIEW -> new HeadViewFigure(a, s.layer(), s.head() < 0 ? IntStream.range(0, a.heads()).toArray()
                    : new int[] {s.head()}, s.tokens(), title + "head view");
            case FLOW -> new FlowGraphFigure(s.flow(), s.tokens(), title + "information flow");
            case IMPORTANCE -> importance(s, title + "head importance");
            case LAYERS -> layers(s, title + "layers");
            case SINKS -> sinks(s, title + "attention sinks");
            case VIT_OVERLAY -> vitOverlay(s, title + "layer " + s.layer() + ", head " + s.headOrFirst() + " \u00B7 [CLS] attention over the patches");
            case COMPARE -> new CompareFigure(Titles.of(r) + " \u00B7 compare", new CompareFigure.Run("A: " + Titles.input(r), a, s.tokens()),
                    new CompareFigure.Run("B: " + Titles.input(s.comparison()), s.comparison().attention(), s.comparison().input().tokens()),
                    s.layer(), s.headOrFirst());
            case RELEVANCE -> RelevanceFigures.figure(r, s.results().relevance(), title + "relevance");
            case ATLAS -> AtlasFigures.figure(AtlasData.ofPrompt(r, null, null), AtlasFigures.BY_TYPE, AtlasFigures.NO_SIZE);
            case FAITHFULNESS -> RelevanceFigures.faithfulness(r, s.results().faithfulness(), title + "faithfulness");
        };
    }

    /** Whether {@code view} can group its keys by token class ({@link #byClass}). */
    public static boolean groupsKeys(ViewKind view) {
        return view == ViewKind.MODEL_VIEW || view == ViewKind.HEATMAP;
    }

    /**
     * {@code view} with its keys grouped by token class (system, text, image, generated): the model view's thumbnails
     * and the heatmap become queries × classes maps. Reads the whole attention for the model view: off the FX thread.
     *
     * @param classes the class of each of the run's positions (a joined vision-language run)
     */
    public static Figure byClass(ViewKind view, Session s, TokenClasses classes) {
        if (!groupsKeys(view)) {
            throw new HeadwiseException("keys by class apply to the model-view and heatmap views, not " + view.cliName());
        }
        AnalysisResult r = s.result();
        AttentionMaps a = r.attention();
        String title = Titles.of(r) + " \u00B7 ";
        if (view == ViewKind.MODEL_VIEW) {
            ModelThumbnails tiles = s.thumbnailsOrBuild();
            return KeyClassFigures.modelView(KeyClassMaps.of(a, classes), tiles, s.tokens(), title + "model view, keys by class",
                    HeadCategories.marks(s, tiles));
        }
        return headByClass(s, a.head(s.layer(), s.headOrFirst()), classes, title + "layer " + s.layer() + ", head " + s.headOrFirst()
                + ", keys by class");
    }

    /** One head's matrix as shown (sink keys hidden or not) with its keys grouped by class: the Head page's map. */
    public static Figure headByClass(Session s, float[] matrix, TokenClasses classes, String title) {
        return KeyClassFigures.headMap(KeyClassMaps.ofHead(matrix, s.result().attention().length(), classes), s.tokens(), title);
    }

    /** The model view composed from the session's tiles (built once per run), so the app and exports draw the same. */
    private static Figure modelView(Session s, String title) {
        ModelThumbnails tiles = s.thumbnailsOrBuild();
        return new ModelViewFigure(tiles, title, HeadCategories.marks(s, tiles));
    }

    private static Figure importance(Session s, String title) {
        AttentionMaps a = s.result().attention();
        List<ImportanceFigure.Measure> measures = new ArrayList<>();
        List<RankAgreement.NamedScores> named = new ArrayList<>();
        for (ImportanceMeasures.Measure m : ImportanceMeasures.of(s)) {
            measures.add(new ImportanceFigure.Measure(m.title(), m.note(), m.scores()));
            named.add(new RankAgreement.NamedScores(m.shortName(), m.scores()));
        }
        RankAgreement.Matrix rho = named.size() > 1 ? RankAgreement.matrix(named) : null;
        return new ImportanceFigure(title + " (" + a.layers() + " layers \u00D7 " + a.heads() + " heads)", measures,
                rho == null ? null : rho.names(), rho == null ? null : rho.rho());
    }

    private static Figure layers(Session s, String title) {
        AttentionMaps a = s.result().attention();
        double[][] entropy = AttentionStatistics.entropy(a);
        double[][] distance = AttentionStatistics.meanDistance(a);
        double[][] firstToken = firstTokenMass(a);
        List<LayerChartsFigure.Series> series = new ArrayList<>();
        series.add(new LayerChartsFigure.Series("Attention entropy", "nats", AttentionStatistics.layerMeans(entropy), entropy));
        series.add(new LayerChartsFigure.Series("Mean attention distance", "tokens", AttentionStatistics.layerMeans(distance), distance));
        series.add(new LayerChartsFigure.Series("Attention on the first token", "mean weight", AttentionStatistics.layerMeans(firstToken),
                firstToken));
        double[] ratio = MetricsMap.numbers(s.metrics(), "layers", "max_activation_ratio");
        if (ratio != null) {
            series.add(new LayerChartsFigure.Series("Largest activation / median", "ratio", ratio, null));
        }
        return new LayerChartsFigure(title, series, LayerSimilarity.of(a));
    }

    /** [layer][head] mean over queries of the attention on token 0 (its sink score, either masking). */
    static double[][] firstTokenMass(AttentionMaps a) {
        double[][][] scores = Sinks.scores(a, false);
        double[][] out = new double[a.layers()][a.heads()];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                out[l][h] = scores[l][h][0];
            }
        }
        return out;
    }

    private static Figure sinks(Session s, String title) {
        AnalysisResult r = s.result();
        double[][][] scores = Sinks.scores(r.attention(), r.spec().causal());
        return new SinkChartsFigure(title, s.tokens(), scores, Sinks.rate(scores, Sinks.DEFAULT_EPSILON), Sinks.DEFAULT_EPSILON);
    }

    private static Figure vitOverlay(Session s, String title) {
        AnalysisResult r = s.result();
        PatchGrid grid = r.input().grid();
        PixelImage seen = r.input().image().seen();
        BufferedImage image = PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(), seen.samples());
        int t = r.attention().length();
        float[] row = new float[t];
        System.arraycopy(r.attention().head(s.layer(), s.headOrFirst()), 0, row, 0, t); // query 0: CLS
        return new VitOverlayFigure(image, row, grid.specialTokens(), grid.rows(), grid.cols(), title);
    }
}
