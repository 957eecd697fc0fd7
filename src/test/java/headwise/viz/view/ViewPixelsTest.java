package headwise.viz.view;

import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.run.AttentionMaps;
import headwise.viz.ColorScale;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;
import org.junit.jupiter.api.Test;

import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static headwise.viz.FigurePixels.Placement;
import static headwise.viz.FigurePixels.colourBarHeight;
import static headwise.viz.FigurePixels.colours;
import static headwise.viz.FigurePixels.find;
import static headwise.viz.FigurePixels.findOne;
import static headwise.viz.FigurePixels.inkCentre;
import static headwise.viz.FigurePixels.inkHeightAbove;
import static headwise.viz.FigurePixels.inkHeightBelow;
import static headwise.viz.FigurePixels.inkWidthLeftOf;
import static headwise.viz.FigurePixels.luminance;
import static headwise.viz.FigurePixels.mirrored;
import static headwise.viz.FigurePixels.render;
import static headwise.viz.FigurePixels.rowMajor;
import static headwise.viz.FigurePixels.save;
import static headwise.viz.FigurePixels.transposed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every figure kind drawn from small, deliberately asymmetric numbers and read back pixel by pixel: each matrix
 * cell shows its value's colour on the figure's scale at its own place, labels sit on their own rows, lines, bars
 * and chart points are where their numbers put them. Each test also runs its check on a transposed or mirrored
 * input (or the wrong colour scale, or the labels reversed) and requires the check to fail there, so the check can
 * fail for the right reason. Pictures: target/screenshots/pixels-*.png.
 */
class ViewPixelsTest {

    /** Label ink is measured against the font's advance width: side bearings and anti-aliasing differ by a pixel or two. */
    private static final double LABEL_SLACK = 3;

    /**
     * n×n values, all distinct, [0][n−1] the largest and [n−1][0] the smallest, neighbours at least 1/n² of the
     * range apart (distinct colours): neither symmetric nor mirror-symmetric. Rounded to float, as figures take them.
     */
    static double[][] asymmetric(int n) {
        double[][] m = new double[n][n];
        double step = 0.9 / (n * n - 1);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                m[r][c] = (float) (1 - step * (r * n + (n - 1 - c)));
            }
        }
        return m;
    }

    static <T> T[] reversed(T[] a) {
        T[] r = a.clone();
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    static Font matrixFont(Placement p) {
        return Math.min(p.cellWidth(), p.cellHeight()) >= 14 ? Style.LABEL : Style.SMALL;
    }

    /** Each row's label: its ink, ending left of the cells, is as wide as its text. */
    static void assertRowLabels(BufferedImage image, Placement p, String[] labels) {
        Font font = matrixFont(p);
        for (int r = 0; r < labels.length; r++) {
            int width = inkWidthLeftOf(image, p.x() - 1, p.y() + r * p.cellHeight(), p.y() + (r + 1) * p.cellHeight());
            assertEquals(Text.width(font, labels[r]), width, LABEL_SLACK, "row " + r + " is labelled '" + labels[r] + "'");
        }
    }

    /** Each column's label, drawn upwards above the cells: its ink is as tall as its text is wide. */
    static void assertUpwardColumnLabels(BufferedImage image, Placement p, String[] labels) {
        Font font = matrixFont(p);
        for (int c = 0; c < labels.length; c++) {
            int height = inkHeightAbove(image, p.y() - 1, p.x() + c * p.cellWidth(), p.x() + (c + 1) * p.cellWidth());
            assertEquals(Text.width(font, labels[c]), height, LABEL_SLACK, "column " + c + " is labelled '" + labels[c] + "'");
        }
    }

    // ---------------------------------------------------------------- heatmap

    static final String[] HEATMAP_TOKENS = {"x", "query one", "ab", "a longer one", "mid"};

    static BufferedImage heatmap(double[][] m, String[] tokens, boolean log) {
        return render(new HeadHeatmapFigure(rowMajor(m), m.length, tokens, "pixels \u00B7 heatmap", log));
    }

    /** Cells at their values' colours (rows = queries), the largest top right, labels on their rows, the legend's bar. */
    static void checkHeatmap(BufferedImage image, double[][] m, String[] tokens, ValueScale scale) {
        int n = m.length;
        Placement p = findOne(image, colours(m, scale), 1, "heatmap");
        double brightest = luminance(image.getRGB(p.centreX(n - 1), p.centreY(0)));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                assertTrue(luminance(image.getRGB(p.centreX(c), p.centreY(r))) <= brightest, "the largest weight is the brightest cell, top right");
            }
        }
        String[] labels = Labels.tokens(tokens, n);
        assertRowLabels(image, p, labels);
        assertUpwardColumnLabels(image, p, labels);
        assertTrue(colourBarHeight(image, scale, p.x() + n * p.cellWidth()) >= n * p.cellHeight(),
                "a colour bar from the scale's top colour down to its lowest, right of the cells");
    }

    @Test
    void heatmapLinear() throws Exception {
        double[][] m = asymmetric(5);
        ValueScale linear = ValueScale.linear(0, 1);
        BufferedImage image = heatmap(m, HEATMAP_TOKENS, false);
        save(image, "heatmap-linear");
        checkHeatmap(image, m, HEATMAP_TOKENS, linear);

        assertThrows(AssertionError.class, () -> checkHeatmap(heatmap(transposed(m), HEATMAP_TOKENS, false), m, HEATMAP_TOKENS, linear));
        assertThrows(AssertionError.class, () -> checkHeatmap(heatmap(mirrored(m), HEATMAP_TOKENS, false), m, HEATMAP_TOKENS, linear));
        assertThrows(AssertionError.class, () -> checkHeatmap(image, m, HEATMAP_TOKENS, ValueScale.log(m[4][0], 1)));
        assertThrows(AssertionError.class, () -> checkHeatmap(heatmap(m, reversed(HEATMAP_TOKENS), false), m, HEATMAP_TOKENS, linear));
    }

    @Test
    void heatmapLog() throws Exception {
        double[][] m = asymmetric(5);
        ValueScale log = ValueScale.log(m[4][0], 1);
        BufferedImage image = heatmap(m, HEATMAP_TOKENS, true);
        save(image, "heatmap-log");
        checkHeatmap(image, m, HEATMAP_TOKENS, log);
        assertThrows(AssertionError.class, () -> checkHeatmap(image, m, HEATMAP_TOKENS, ValueScale.linear(0, 1)));
    }

    // ---------------------------------------------------------------- matrix figure (the pages' matrices)

    static final String[] MATRIX_ROWS = {"x", "layer one", "mid"};

    static double[][] threeByFour() {
        double[][] v = new double[3][4];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                v[r][c] = (r * 4 + (c * 3) % 4) * 0.1 - 0.3;
            }
        }
        return v;
    }

    static MatrixFigure matrixFigure(double[][] v) {
        return MatrixFigure.of("pixels \u00B7 matrix", "caption", v, MATRIX_ROWS, Labels.indices("H", 4), 40,
                ValueScale.linear(ImportanceFigure.min(v), ImportanceFigure.max(v)), true, "value");
    }

    static void checkMatrixFigure(MatrixFigure figure, double[][] v) {
        BufferedImage image = render(figure);
        Placement p = findOne(image, colours(v, ValueScale.linear(ImportanceFigure.min(v), ImportanceFigure.max(v))), 2, "matrix");
        assertEquals(p.cell(0, 3), figure.cells(0, 1, 3, 4), "cells() names the drawn cell [0][3]");
        assertArrayEquals(new int[] {2, 1}, figure.cellAt(p.centreX(1), p.centreY(2)), "cellAt() names the cell under the point");
        assertRowLabels(image, p, MATRIX_ROWS);
    }

    @Test
    void matrixFigureCellsAndItsHitTesting() throws Exception {
        double[][] v = threeByFour();
        save(render(matrixFigure(v)), "matrix");
        checkMatrixFigure(matrixFigure(v), v);
        assertThrows(AssertionError.class, () -> checkMatrixFigure(matrixFigure(mirrored(v)), v));
    }

    // ---------------------------------------------------------------- model view

    /** Head (l, h) of a 2 × 3 model over 4 tokens: a different arrangement of the same 16 values in every head. */
    static double[][] headPattern(int layer, int head) {
        int shift = 3 * (layer * 3 + head) + 1;
        double[][] m = new double[4][4];
        for (int q = 0; q < 4; q++) {
            for (int k = 0; k < 4; k++) {
                m[q][k] = (float) (0.05 + 0.06 * (((q * 4 + k) * 5 + shift) % 16));
            }
        }
        return m;
    }

    static AttentionMaps modelAttention(boolean transposeHeads) {
        float[] values = new float[2 * 3 * 16];
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 3; h++) {
                double[][] m = headPattern(l, h);
                System.arraycopy(rowMajor(transposeHeads ? transposed(m) : m), 0, values, (l * 3 + h) * 16, 16);
            }
        }
        return new AttentionMaps(2, 3, 4, values);
    }

    static final int[][] CATEGORY = {{0, -1, 1}, {-1, -1, 0}};
    static final double[][] IMPORTANCE = {{0.5, -1, 0.25}, {0, 0.75, -0.5}};

    static void checkModelView(ModelViewFigure figure) {
        BufferedImage image = render(figure);
        int size = figure.thumbnailSize();
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 3; h++) {
                double[][] m = headPattern(l, h);
                int[][] expected = colours(m, ValueScale.linear(0, Arrays.stream(m).flatMapToDouble(Arrays::stream).max().orElseThrow()));
                Placement p = findOne(image, expected, 1, "head " + l + "." + h);
                double[] corner = figure.thumbnailCorner(l, h);
                assertEquals(corner[0], p.x(), "head " + l + "." + h + " in column " + h);
                assertEquals(corner[1], p.y(), "head " + l + "." + h + " in row " + l);
                assertEquals(size, 4 * p.cellWidth(), "whole cells fill the thumbnail");

                int frame = image.getRGB(p.x() + size / 2, p.y() - 2);
                int category = CATEGORY[l][h];
                assertEquals(category < 0 ? 0xFFFFFFFF : ModelViewFigure.categoryColour(category).getRGB(), frame,
                        "head " + l + "." + h + "'s frame");
                int barY = p.y() + size + 3 + 1 + 2;
                int bar = 0;
                while (image.getRGB(p.x() + bar, barY) != 0xFFFFFFFF) {
                    bar++;
                }
                assertEquals(Math.max(0.5, Math.abs(IMPORTANCE[l][h]) * size), bar, 1.5, "head " + l + "." + h + "'s importance bar");
            }
            double[] corner = figure.thumbnailCorner(l, 0);
            double labelRow = inkCentre(image, 0, (int) corner[0] - 2, (int) corner[1], (int) corner[1] + size)[1];
            assertEquals(corner[1] + size / 2.0, labelRow, 3, "L" + l + " beside its row of heads");
        }
        for (int h = 0; h < 3; h++) {
            double[] corner = figure.thumbnailCorner(0, h);
            double labelColumn = inkCentre(image, (int) corner[0], (int) corner[0] + size, (int) corner[1] - 20, (int) corner[1] - 5)[0];
            assertEquals(corner[0] + size / 2.0, labelColumn, 3, "H" + h + " over its column of heads");
        }
    }

    @Test
    void modelViewThumbnailsFramesAndBars() throws Exception {
        HeadMarks marks = new HeadMarks(List.of("previous-token", "sink"), CATEGORY, IMPORTANCE, "ablation");
        ModelViewFigure figure = new ModelViewFigure(ModelThumbnails.of(modelAttention(false)), "pixels \u00B7 model view", marks);
        save(render(figure), "model-view");
        checkModelView(figure);
        assertThrows(AssertionError.class, () -> checkModelView(new ModelViewFigure(ModelThumbnails.of(modelAttention(true)), "t", marks)));
    }

    // ---------------------------------------------------------------- head view

    /** One strong link per query, each key receiving one: q0→k2, q1→k0, q2→k3, q3→k1, of falling weight. */
    static final int[] KEY_OF_QUERY = {2, 0, 3, 1};
    static final double[] LINK_WEIGHT = {0.9, 0.6, 0.35, 0.2};
    static final String[] HEAD_VIEW_TOKENS = {"a", "long token", "bb", "mid"};

    static AttentionMaps linkAttention(boolean transpose) {
        double[][] m = new double[4][4];
        for (double[] row : m) {
            Arrays.fill(row, 0.001); // under HeadViewFigure.MIN_WEIGHT: not drawn
        }
        for (int q = 0; q < 4; q++) {
            m[q][KEY_OF_QUERY[q]] = LINK_WEIGHT[q];
        }
        return new AttentionMaps(1, 1, 4, rowMajor(transpose ? transposed(m) : m));
    }

    /** A line's pixels: blue over white (the single head's colour). */
    static int blueness(int argb) {
        return (argb & 0xFF) - (argb >> 16 & 0xFF);
    }

    /** Centre rows and strengths (the largest blueness) of the separate runs of blue pixels in column x. */
    static List<double[]> blueRuns(BufferedImage image, int x) {
        List<double[]> runs = new ArrayList<>();
        int y = 0;
        while (y < image.getHeight()) {
            if (blueness(image.getRGB(x, y)) <= 20) {
                y++;
                continue;
            }
            int start = y;
            int strength = 0;
            while (y < image.getHeight() && blueness(image.getRGB(x, y)) > 20) {
                strength = Math.max(strength, blueness(image.getRGB(x, y)));
                y++;
            }
            runs.add(new double[] {(start + y - 1) / 2.0, strength});
        }
        return runs;
    }

    static int[] order(double[] values) {
        return IntStream.range(0, values.length).boxed().sorted((a, b) -> Double.compare(values[b], values[a])).mapToInt(i -> i).toArray();
    }

    static void checkHeadView(BufferedImage image) {
        int left = Integer.MAX_VALUE;
        int right = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (blueness(image.getRGB(x, y)) > 20) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        List<double[]> queries = blueRuns(image, left + 2);
        List<double[]> keys = blueRuns(image, right - 2);
        assertEquals(4, queries.size(), "one line leaves each query");
        assertEquals(4, keys.size(), "one line reaches each key");
        double[] byQuery = new double[4];
        double[] byKey = new double[4];
        double[] weightByKey = new double[4];
        for (int i = 0; i < 4; i++) {
            byQuery[i] = queries.get(i)[1];
            byKey[i] = keys.get(i)[1];
            weightByKey[KEY_OF_QUERY[i]] = LINK_WEIGHT[i];
            assertEquals(queries.get(i)[0], keys.get(i)[0], 1.5, "query and key " + i + " on the same row");
        }
        assertArrayEquals(order(LINK_WEIGHT), order(byQuery), "lines leave the queries, top to bottom, as strong as their weights");
        assertArrayEquals(order(weightByKey), order(byKey), "and reach the keys each query attends to");
        double pitch = queries.get(1)[0] - queries.get(0)[0];
        String[] labels = Labels.tokens(HEAD_VIEW_TOKENS, 4);
        for (int i = 0; i < 4; i++) {
            int row = (int) Math.round(queries.get(i)[0]);
            int width = inkWidthLeftOf(image, left - 1, (int) (row - pitch / 2), (int) (row + pitch / 2));
            assertEquals(Text.width(Style.LABEL, labels[i]), width, LABEL_SLACK, "query " + i + " is labelled '" + labels[i] + "'");
        }
    }

    @Test
    void headViewLinesJoinEachQueryToItsKeys() throws Exception {
        BufferedImage image = render(new HeadViewFigure(linkAttention(false), 0, new int[] {0}, HEAD_VIEW_TOKENS, "pixels \u00B7 head view"));
        save(image, "head-view");
        checkHeadView(image);
        assertThrows(AssertionError.class, () -> checkHeadView(render(new HeadViewFigure(linkAttention(true), 0, new int[] {0},
                HEAD_VIEW_TOKENS, "t"))));
        assertThrows(AssertionError.class, () -> checkHeadView(render(new HeadViewFigure(linkAttention(false), 0, new int[] {0},
                reversed(HEAD_VIEW_TOKENS), "t"))));
    }

    // ---------------------------------------------------------------- flow graph

    static final String[] FLOW_TOKENS = {"a", "long label", "bb", "end"};

    /** Residual edges up every token; attention 0 → 3 into layer 1 and 1 → 3 into layer 2 (or the mirror image). */
    static ContributionGraph flowGraph(boolean mirror) {
        List<ContributionGraph.Edge> edges = new ArrayList<>();
        for (int l = 1; l <= 2; l++) {
            for (int t = 0; t < 4; t++) {
                edges.add(new ContributionGraph.Edge(l, t, t, 0.5, ContributionGraph.Kind.RESIDUAL));
            }
        }
        edges.add(mirror ? new ContributionGraph.Edge(1, 3, 0, 0.9, ContributionGraph.Kind.ATTENTION)
                : new ContributionGraph.Edge(1, 0, 3, 0.9, ContributionGraph.Kind.ATTENTION));
        edges.add(mirror ? new ContributionGraph.Edge(2, 3, 1, 0.6, ContributionGraph.Kind.ATTENTION)
                : new ContributionGraph.Edge(2, 1, 3, 0.6, ContributionGraph.Kind.ATTENTION));
        return new ContributionGraph(2, 4, 3, 0.04, edges);
    }

    static boolean blueAt(BufferedImage image, double[] a, double[] b, double along) {
        int argb = image.getRGB((int) Math.round(a[0] + along * (b[0] - a[0])), (int) Math.round(a[1] + along * (b[1] - a[1])));
        int r = argb >> 16 & 0xFF;
        int g = argb >> 8 & 0xFF;
        int bl = argb & 0xFF;
        return bl - r > 30 && bl > g + 10;
    }

    /** Green at a quarter of the way from a to b (attention edges cross residual ones half way up). */
    static boolean greenAt(BufferedImage image, double[] a, double[] b) {
        int argb = image.getRGB((int) Math.round(a[0] + (b[0] - a[0]) / 4), (int) Math.round(a[1] + (b[1] - a[1]) / 4));
        int r = argb >> 16 & 0xFF;
        int g = argb >> 8 & 0xFF;
        int bl = argb & 0xFF;
        return g - r > 30 && g > bl + 10;
    }

    static void checkFlowGraph(FlowGraphFigure figure) {
        BufferedImage image = render(figure);
        int[][] attention = {{1, 0, 3}, {2, 1, 3}}; // {layer, from, to}
        for (int[] e : attention) {
            double[] from = figure.node(e[0] - 1, e[1]);
            double[] to = figure.node(e[0], e[2]);
            double[] mirrorFrom = figure.node(e[0] - 1, e[2]);
            double[] mirrorTo = figure.node(e[0], e[1]);
            for (double along : new double[] {0.25, 0.75}) {
                assertTrue(blueAt(image, from, to, along), "attention edge " + e[1] + " \u2192 " + e[2] + " into layer " + e[0]);
                assertTrue(!blueAt(image, mirrorFrom, mirrorTo, along), "no edge " + e[2] + " \u2192 " + e[1] + " into layer " + e[0]);
            }
        }
        for (int l = 1; l <= 2; l++) {
            for (int t = 0; t < 4; t++) {
                assertTrue(greenAt(image, figure.node(l - 1, t), figure.node(l, t)), "residual edge of token " + t + " into layer " + l);
            }
        }
        assertTrue(figure.node(0, 0)[1] > figure.node(2, 0)[1], "the embeddings at the bottom");
        for (int l = 0; l <= 2; l++) {
            double y = figure.node(l, 0)[1];
            String label = l == 0 ? "emb" : "layer " + l;
            int width = inkWidthLeftOf(image, (int) figure.node(l, 0)[0] - 6, (int) y - 8, (int) y + 8);
            assertEquals(Text.width(Style.LABEL, label), width, LABEL_SLACK, "row of layer " + l + " is labelled '" + label + "'");
        }
        double pitch = figure.node(0, 1)[0] - figure.node(0, 0)[0];
        String[] labels = Labels.tokens(FLOW_TOKENS, 4);
        for (int t = 0; t < 4; t++) {
            double[] node = figure.node(0, t);
            int height = inkHeightBelow(image, (int) node[1] + 5, (int) (node[0] - pitch / 2 + 2), (int) (node[0] + pitch / 2 - 2));
            assertEquals(Text.width(Style.LABEL, labels[t]), height, LABEL_SLACK, "token " + t + " is labelled '" + labels[t] + "'");
        }
    }

    @Test
    void flowGraphEdgesJoinTheirNodes() throws Exception {
        FlowGraphFigure figure = new FlowGraphFigure(flowGraph(false), FLOW_TOKENS, "pixels \u00B7 flow");
        save(render(figure), "flow");
        checkFlowGraph(figure);
        assertThrows(AssertionError.class, () -> checkFlowGraph(new FlowGraphFigure(flowGraph(true), FLOW_TOKENS, "t")));
        assertThrows(AssertionError.class, () -> checkFlowGraph(new FlowGraphFigure(flowGraph(false), reversed(FLOW_TOKENS), "t")));
    }

    // ---------------------------------------------------------------- importance

    static final String[] MEASURE_NAMES = {"entropy", "kl", "ablation loss"};
    static final double[][] RHO = {{1, 0.5, -0.25}, {0.1, 1, 0.8}, {-0.7, 0.3, 1}};

    static double[][] measure(int kind) {
        double[][] s = new double[3][4];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                s[r][c] = switch (kind) {
                    case 0 -> r * 4 + c;
                    case 1 -> 11 - (r * 4 + c);
                    default -> c * 3 + r + 0.5 * (r % 2);
                };
            }
        }
        return s;
    }

    static ImportanceFigure importance(double[][] first) {
        List<ImportanceFigure.Measure> measures = List.of(new ImportanceFigure.Measure(MEASURE_NAMES[0], "note", first),
                new ImportanceFigure.Measure(MEASURE_NAMES[1], null, measure(1)), new ImportanceFigure.Measure(MEASURE_NAMES[2], null, measure(2)));
        return new ImportanceFigure("pixels \u00B7 importance", measures, List.of(MEASURE_NAMES), RHO);
    }

    static void checkImportance(BufferedImage image) {
        for (int k = 0; k < 3; k++) {
            double[][] s = measure(k);
            findOne(image, colours(s, ValueScale.linear(ImportanceFigure.min(s), ImportanceFigure.max(s))), 1, MEASURE_NAMES[k]);
        }
        Placement rho = findOne(image, colours(RHO, ValueScale.diverging(1)), 2, "rank agreement");
        assertRowLabels(image, rho, MEASURE_NAMES);
    }

    @Test
    void importanceMatricesAndRankAgreement() throws Exception {
        BufferedImage image = render(importance(measure(0)));
        save(image, "importance");
        checkImportance(image);
        assertThrows(AssertionError.class, () -> checkImportance(render(importance(mirrored(measure(0))))));
    }

    // ---------------------------------------------------------------- layer charts

    static final double[] PER_LAYER = {0.2, 0.9, 0.5, 0.7};

    /** The chart's markers, one per layer, equally spaced: their heights follow the values, higher values higher up. */
    static void checkLayerChart(BufferedImage image, double[] values) {
        int left = Integer.MAX_VALUE;
        int right = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (image.getRGB(x, y) == LayerCharts.MEAN.getRGB()) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        double[] y = new double[values.length];
        for (int l = 0; l < values.length; l++) {
            int x = (int) Math.round(left + 3 + l * (right - left - 6) / (values.length - 1.0));
            double sum = 0;
            int n = 0;
            for (int row = 0; row < image.getHeight(); row++) {
                if (image.getRGB(x, row) == LayerCharts.MEAN.getRGB()) {
                    sum += row;
                    n++;
                }
            }
            assertTrue(n > 0, "a marker for layer " + l);
            y[l] = sum / n;
        }
        double pixelsPerUnit = (y[1] - y[0]) / (values[1] - values[0]);
        assertTrue(pixelsPerUnit < 0, "larger values higher up");
        for (int l = 0; l < values.length; l++) {
            assertEquals(y[0] + pixelsPerUnit * (values[l] - values[0]), y[l], 1.5, "layer " + l + "'s point at its value");
        }
    }

    @Test
    void layerChartPointsAndSimilarityMatrix() throws Exception {
        LayerChartsFigure chart = new LayerChartsFigure("pixels \u00B7 layers",
                List.of(new LayerChartsFigure.Series("Entropy", "nats", PER_LAYER, null)), null);
        BufferedImage image = render(chart);
        save(image, "layer-chart");
        checkLayerChart(image, PER_LAYER);
        double[] backwards = {PER_LAYER[3], PER_LAYER[2], PER_LAYER[1], PER_LAYER[0]};
        assertThrows(AssertionError.class, () -> checkLayerChart(render(new LayerChartsFigure("t",
                List.of(new LayerChartsFigure.Series("Entropy", "nats", backwards, null)), null)), PER_LAYER));

        double[][] similarity = {{1, 0.62, 0.35}, {0.8, 1, 0.5}, {0.45, 0.7, 1}};
        ValueScale scale = ValueScale.linear(ImportanceFigure.min(similarity), 1);
        BufferedImage matrix = render(new LayerChartsFigure("pixels \u00B7 layer similarity", List.of(), similarity));
        save(matrix, "layer-similarity");
        Placement p = findOne(matrix, colours(similarity, scale), 2, "layer similarity");
        assertRowLabels(matrix, p, Labels.indices("L", 3));
        assertTrue(find(render(new LayerChartsFigure("t", List.of(), transposed(similarity))), colours(similarity, scale), 2).isEmpty(),
                "a transposed similarity matrix is not taken for this one");
    }

    // ---------------------------------------------------------------- sinks

    static final String[] SINK_TOKENS = {"<s>", "alphabet", "x", "token"};
    static final double[] SINK_RATE = {100, 25, 60, 40};

    static SinkChartsFigure sinks(double[] rate, String[] tokens) {
        double[][][] scores = new double[2][2][4];
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 2; h++) {
                for (int t = 0; t < 4; t++) {
                    scores[l][h][t] = 0.1 * (t + 1) + 0.05 * l + 0.02 * h;
                }
            }
        }
        return new SinkChartsFigure("pixels \u00B7 sinks", tokens, scores, rate, 0.3);
    }

    /** Bars left to right as tall as their rates (the first is 100 %), each token's label under its bar. */
    static void checkSinkBars(BufferedImage image) {
        int bar = new java.awt.Color(0x00, 0x72, 0xB2).getRGB();
        int[] longest = new int[image.getWidth()];
        int[] bottom = new int[image.getWidth()];
        for (int x = 0; x < image.getWidth(); x++) {
            int run = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                run = image.getRGB(x, y) == bar ? run + 1 : 0;
                if (run > longest[x]) {
                    longest[x] = run;
                    bottom[x] = y;
                }
            }
        }
        List<int[]> bars = new ArrayList<>(); // {first column, last column, height, bottom row}
        for (int x = 0; x < image.getWidth(); x++) {
            if (longest[x] < 30) {
                continue;
            }
            if (!bars.isEmpty() && bars.get(bars.size() - 1)[1] == x - 1) {
                int[] b = bars.get(bars.size() - 1);
                b[1] = x;
                b[2] = Math.max(b[2], longest[x]);
            } else {
                bars.add(new int[] {x, x, longest[x], bottom[x]});
            }
        }
        assertEquals(SINK_RATE.length, bars.size(), "one bar per token");
        String[] labels = Labels.tokens(SINK_TOKENS, SINK_TOKENS.length);
        for (int t = 0; t < bars.size(); t++) {
            int[] b = bars.get(t);
            assertEquals(SINK_RATE[t] / SINK_RATE[0] * bars.get(0)[2], b[2], 1.5, "token " + t + "'s bar at " + SINK_RATE[t] + " %");
            int height = inkHeightBelow(image, b[3] + 2, b[0] - 2, b[1] + 3);
            assertEquals(Text.width(Style.LABEL, labels[t]), height, LABEL_SLACK, "bar " + t + " is labelled '" + labels[t] + "'");
        }
    }

    @Test
    void sinkRateBars() throws Exception {
        BufferedImage image = render(sinks(SINK_RATE, SINK_TOKENS));
        save(image, "sinks");
        checkSinkBars(image);
        double[] backwards = {SINK_RATE[3], SINK_RATE[2], SINK_RATE[1], SINK_RATE[0]};
        assertThrows(AssertionError.class, () -> checkSinkBars(render(sinks(backwards, SINK_TOKENS))));
        assertThrows(AssertionError.class, () -> checkSinkBars(render(sinks(SINK_RATE, reversed(SINK_TOKENS)))));
    }

    // ---------------------------------------------------------------- compare

    static AttentionMaps twoHeads(double[][] head0, double[][] head1) {
        float[] values = new float[2 * 16];
        System.arraycopy(rowMajor(head0), 0, values, 0, 16);
        System.arraycopy(rowMajor(head1), 0, values, 16, 16);
        return new AttentionMaps(1, 2, 4, values);
    }

    static double[][] peaked() {
        double[][] m = new double[4][4];
        for (int q = 0; q < 4; q++) {
            for (int k = 0; k < 4; k++) {
                m[q][k] = k == q ? 0.97 : 0.01;
            }
        }
        return m;
    }

    static double[][] uniform() {
        double[][] m = new double[4][4];
        for (double[] row : m) {
            Arrays.fill(row, 0.25);
        }
        return m;
    }

    static void checkCompare(BufferedImage image, AttentionMaps a, AttentionMaps b) {
        float[] ma = a.head(0, 0);
        float[] mb = b.head(0, 0);
        double[][] da = new double[4][4];
        double[][] db = new double[4][4];
        double[][] diff = new double[4][4];
        double limit = 0;
        for (int q = 0; q < 4; q++) {
            for (int k = 0; k < 4; k++) {
                da[q][k] = ma[q * 4 + k];
                db[q][k] = mb[q * 4 + k];
                diff[q][k] = mb[q * 4 + k] - ma[q * 4 + k];
                limit = Math.max(limit, Math.abs(diff[q][k]));
            }
        }
        ValueScale shared = ValueScale.linear(0, 1);
        findOne(image, colours(da, shared), 1, "A");
        findOne(image, colours(db, shared), 1, "B");
        findOne(image, colours(diff, ValueScale.diverging(limit)), 1, "B \u2212 A");
        double[][] ea = AttentionStatistics.entropy(a);
        double[][] eb = AttentionStatistics.entropy(b);
        double[][] change = {{eb[0][0] - ea[0][0], eb[0][1] - ea[0][1]}};
        findOne(image, colours(change, ValueScale.diverging(Math.max(Math.abs(change[0][0]), Math.abs(change[0][1])))), 1, "entropy change");
    }

    @Test
    void compareShowsATheBAndTheirDifference() throws Exception {
        double[][] m = asymmetric(4);
        AttentionMaps a = twoHeads(m, peaked());
        AttentionMaps b = twoHeads(transposed(m), uniform()); // B − A = (A's transpose − A): distinct along each row and column
        BufferedImage image = render(new CompareFigure("pixels \u00B7 compare", new CompareFigure.Run("A", a, null),
                new CompareFigure.Run("B", b, null), 0, 0));
        save(image, "compare");
        checkCompare(image, a, b);
        AttentionMaps bMirrored = twoHeads(mirrored(transposed(m)), uniform());
        assertThrows(AssertionError.class, () -> checkCompare(render(new CompareFigure("t", new CompareFigure.Run("A", a, null),
                new CompareFigure.Run("B", bMirrored, null), 0, 0)), a, b));
    }

    // ---------------------------------------------------------------- ViT panels and overlay

    static final int GREY = 0xFF808080;

    static BufferedImage greyImage(int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, GREY);
            }
        }
        return image;
    }

    /** A [CLS] row over 1 special token and a 4 × 4 grid: patch values asymmetric(4), the largest at patch (0, 3). */
    static float[] clsRow(double[][] patches) {
        float[] row = new float[17];
        row[0] = 0.5f;
        System.arraycopy(rowMajor(patches), 0, row, 1, 16);
        return row;
    }

    /** Each patch: the image in grey under its value's viridis colour. */
    static int[][] overlayColours(double[][] patches) {
        double max = Arrays.stream(patches).flatMapToDouble(Arrays::stream).max().orElseThrow();
        int[][] expected = new int[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                expected[r][c] = PatchAttentionOverlay.blend(PatchAttentionOverlay.grey(GREY), ColorScale.argb(patches[r][c], max),
                        PatchAttentionOverlay.OVERLAY_ALPHA);
            }
        }
        return expected;
    }

    static void checkVitPanels(VitHeadGridFigure figure, double[][] first, double[][] second) {
        BufferedImage image = render(figure);
        double[][][] panels = {first, second};
        for (int i = 0; i < 2; i++) {
            Placement p = findOne(image, overlayColours(panels[i]), 2, "panel " + i); // inset 2: the patch grid's lines
            Rectangle2D bounds = figure.panelBounds(i);
            assertEquals(bounds.getX(), p.x(), "panel " + i + " where panelBounds says");
            assertEquals(bounds.getY(), p.y());
            Rectangle2D hot = figure.cellBounds(i, 0, 3);
            assertEquals(p.centreX(3), hot.getCenterX(), 1, "cellBounds names the drawn patch (0, 3)");
            assertEquals(p.centreY(0), hot.getCenterY(), 1);
        }
    }

    @Test
    void vitHeadGridPanelsShowTheirPatches() throws Exception {
        double[][] first = asymmetric(4);
        double[][] second = transposed(mirrored(first)); // another arrangement of the same values
        List<VitHeadGridFigure.Panel> panels = List.of(new VitHeadGridFigure.Panel("head 0", clsRow(first)),
                new VitHeadGridFigure.Panel("head 1", clsRow(second)));
        VitHeadGridFigure figure = new VitHeadGridFigure(greyImage(16), panels, 1, 4, 4, "pixels \u00B7 ViT heads", "caption", -1, -1);
        save(render(figure), "vit-heads");
        checkVitPanels(figure, first, second);
        List<VitHeadGridFigure.Panel> swapped = List.of(panels.get(1), panels.get(0));
        assertThrows(AssertionError.class, () -> checkVitPanels(new VitHeadGridFigure(greyImage(16), swapped, 1, 4, 4, "t", "c", -1, -1),
                first, second));
        List<VitHeadGridFigure.Panel> mirroredFirst = List.of(new VitHeadGridFigure.Panel("head 0", clsRow(mirrored(first))), panels.get(1));
        assertThrows(AssertionError.class, () -> checkVitPanels(new VitHeadGridFigure(greyImage(16), mirroredFirst, 1, 4, 4, "t", "c", -1, -1),
                first, second));
    }

    static void checkOverlay(BufferedImage image, double[][] patches) {
        PatchAttentionOverlay.Layout layout = PatchAttentionOverlay.layout(16, 16, 4, 4, "pixels \u00B7 overlay");
        // inset 4: the strongest patch is outlined inside its edge
        Placement p = findOne(image, overlayColours(patches), 4, "overlay");
        assertEquals(layout.overlayX(), p.x(), "the overlay panel, right of the image");
        assertEquals(layout.panelY(), p.y());
        double brightest = luminance(image.getRGB(p.centreX(3), p.centreY(0)));
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                assertTrue(luminance(image.getRGB(p.centreX(c), p.centreY(r))) <= brightest, "the strongest patch, top right, is the brightest");
            }
        }
        assertEquals(GREY, image.getRGB(layout.imageX() + 5, layout.panelY() + 5), "the image itself on the left, untouched");
    }

    @Test
    void vitOverlayPatchesOverTheImage() throws Exception {
        double[][] patches = asymmetric(4);
        BufferedImage image = render(new VitOverlayFigure(greyImage(16), clsRow(patches), 1, 4, 4, "pixels \u00B7 overlay"));
        save(image, "vit-overlay");
        checkOverlay(image, patches);
        assertThrows(AssertionError.class, () -> checkOverlay(render(new VitOverlayFigure(greyImage(16), clsRow(transposed(patches)), 1, 4, 4,
                "pixels \u00B7 overlay")), patches));
    }
}
