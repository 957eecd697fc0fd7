package headwise.viz.vlm;

import headwise.engine.vlm.TokenClasses.TokenClass;
import headwise.engine.vlm.analysis.KeyClassMaps;
import headwise.viz.ColorScale;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;
import headwise.viz.view.HeadHeatmapFigure;
import headwise.viz.view.HeadMarks;
import headwise.viz.view.Labels;
import headwise.viz.view.MatrixFigure;
import headwise.viz.view.ModelThumbnails;
import headwise.viz.view.ModelViewFigure;
import headwise.viz.view.ThumbnailMeaning;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;

/**
 * The attention views with their keys grouped by token class ("keys: by class"): each head as a queries × classes
 * map (a cell: the query's attention summed over that class's keys, 0 to 1), in the model view as thumbnails with
 * each layer's mean shares as a stacked bar beside its row, and on the Head page as one labelled map.
 */
public final class KeyClassFigures {

    /** The width of a layer's share bar beside the model view's rows. */
    static final double STRIP = 96;
    /** The class columns of the Head page's map. */
    static final int HEAD_COLUMN = 64;

    private KeyClassFigures() {
    }

    /** "text 41.0% · image 56.0%": each class present with its share. */
    public static String shareLine(TokenClass[] present, double[] shares) {
        StringBuilder out = new StringBuilder();
        for (int c = 0; c < present.length; c++) {
            out.append(c == 0 ? "" : " \u00B7 ").append(String.format(Locale.ROOT, "%s %.1f%%", ClassSharesFigure.name(present[c]),
                    100 * shares[c]));
        }
        return out.toString();
    }

    /** "system | text | image": the class columns left to right. */
    static String columns(TokenClass[] present) {
        StringBuilder out = new StringBuilder();
        for (TokenClass c : present) {
            out.append(out.isEmpty() ? "" : " | ").append(ClassSharesFigure.name(c));
        }
        return out.toString();
    }

    /**
     * The model view in class mode: every head's queries × classes map as its thumbnail (the size and the sink
     * frames' first-key mass of {@code plain}, the run's own thumbnails), each layer's mean shares beside its row.
     */
    public static ModelViewFigure modelView(KeyClassMaps maps, ModelThumbnails plain, String[] tokens, String title, HeadMarks marks) {
        return new ModelViewFigure(thumbnails(maps, plain), title, marks, new Meaning(maps, tokens, maps.layerShares()));
    }

    /**
     * Thumbnails of the class maps: pixel rows are queries (a mean over the rows a pixel covers when T exceeds the
     * thumbnail), the class columns equal bands split by a white line, coloured 0 to 1 on one scale for every head.
     */
    static ModelThumbnails thumbnails(KeyClassMaps maps, ModelThumbnails plain) {
        int size = plain.size();
        int t = maps.length();
        int classes = maps.classes();
        int[] band = new int[size];
        for (int px = 0; px < size; px++) {
            band[px] = px * classes / size;
        }
        int[][] tiles = new int[maps.layers() * maps.heads()][];
        for (int l = 0; l < maps.layers(); l++) {
            for (int h = 0; h < maps.heads(); h++) {
                float[] m = maps.head(l, h);
                int[] tile = new int[size * size];
                for (int py = 0; py < size; py++) {
                    int from = (int) ((long) py * t / size);
                    int to = Math.max(from + 1, (int) ((long) (py + 1) * t / size));
                    for (int px = 0; px < size; px++) {
                        int c = band[px];
                        boolean edge = px > 0 && band[px - 1] != c;
                        double v = 0;
                        for (int q = from; q < to; q++) {
                            v += m[q * classes + c];
                        }
                        tile[py * size + px] = edge ? 0xFFFFFFFF : ColorScale.argb(v / (to - from), 1.0);
                    }
                }
                tiles[l * maps.heads() + h] = tile;
            }
        }
        return new ModelThumbnails(maps.layers(), maps.heads(), t, size, tiles, plain.firstKeyMass());
    }

    /** One head's queries × classes map with token labels; a cell reads "query 3 “cat”, image: 0.56". */
    public static MatrixFigure headMap(KeyClassMaps maps, String[] tokens, String title) {
        TokenClass[] present = maps.present();
        String[] names = new String[present.length];
        for (int c = 0; c < names.length; c++) {
            names[c] = ClassSharesFigure.name(present[c]);
        }
        int t = maps.length();
        float[] m = maps.head(0, 0);
        int cellHeight = HeadHeatmapFigure.cellSizeFor(t);
        MatrixFigure figure = new MatrixFigure(title, "a cell: the query's attention to the class's keys (0 to 1); mean over rows: "
                + shareLine(present, maps.shares(0, 0)), t, present.length, (q, c) -> m[q * present.length + c],
                MatrixFigure.tokenLabels(tokens, t), names, HEAD_COLUMN, cellHeight, ValueScale.linear(0, 1), true, "attention to the class");
        figure.panel().named("query", null);
        return figure;
    }

    /** The class maps' caption, readouts, share bars and legend for {@link ModelViewFigure}. */
    private record Meaning(KeyClassMaps maps, String[] tokens, double[][] layerShares) implements ThumbnailMeaning {

        @Override
        public String caption() {
            return "a thumbnail: one head's queries (rows) \u00D7 key classes (" + columns(maps.present())
                    + "), the attention to the class, 0 to 1; bars: each layer's mean shares";
        }

        @Override
        public String readout(int layer, int head, double fx, double fy) {
            int t = maps.length();
            int q = Math.min(t - 1, (int) (fy * t));
            int c = Math.min(maps.classes() - 1, (int) (fx * maps.classes()));
            String token = tokens == null ? "" : " \u201C" + Labels.shorten(tokens[q]) + "\u201D";
            return String.format(Locale.ROOT, "query %d%s \u2192 %s keys %.1f%% \u00B7 head: %s", q, token,
                    ClassSharesFigure.name(maps.present()[c]), 100 * maps.at(layer, head, q, c),
                    shareLine(maps.present(), maps.shares(layer, head)));
        }

        @Override
        public double stripWidth() {
            return STRIP;
        }

        @Override
        public void drawStrip(Graphics2D g, int layer, double x, double y, double w, double h) {
            double at = x;
            double barTop = y + h / 4;
            for (int c = 0; c < maps.classes(); c++) {
                double width = Math.max(0, layerShares[layer][c]) * w;
                g.setColor(Style.CATEGORIES[maps.present()[c].ordinal() % Style.CATEGORIES.length]);
                g.fill(new Rectangle2D.Double(at, barTop, width, h / 2));
                String percent = Math.round(100 * layerShares[layer][c]) + "%";
                if (width >= Text.width(Style.SMALL, percent) + 4 && h / 2 >= Text.height(Style.SMALL)) {
                    g.setFont(Style.SMALL);
                    g.setColor(Style.TEXT);
                    Text.centred(g, percent, at + width / 2, y + h / 2 + Text.centreShift(Style.SMALL));
                }
                at += width;
            }
            g.setColor(Style.FRAME);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Rectangle2D.Double(x, barTop, w, h / 2));
        }

        @Override
        public String stripReadout(int layer, double fx) {
            return "mean over heads and queries: " + shareLine(maps.present(), layerShares[layer]);
        }

        private String legendNote() {
            return "bar right of a layer: its mean share per key class";
        }

        @Override
        public double legendWidth() {
            double w = Text.width(Style.SMALL, legendNote()) + 3 * Style.GAP;
            for (TokenClass c : maps.present()) {
                w += 14 + Text.width(Style.SMALL, ClassSharesFigure.name(c)) + 3 * Style.GAP;
            }
            return w;
        }

        @Override
        public double legendHeight() {
            return Text.height(Style.SMALL) + Style.GAP;
        }

        @Override
        public void drawLegend(Graphics2D g, double x, double y) {
            g.setFont(Style.SMALL);
            double baseline = y + Text.ascent(Style.SMALL);
            for (TokenClass c : maps.present()) {
                g.setColor(Style.CATEGORIES[c.ordinal() % Style.CATEGORIES.length]);
                g.fill(new Rectangle2D.Double(x, y + 2, 10, Text.height(Style.SMALL) - 4));
                g.setColor(Style.TEXT);
                String name = ClassSharesFigure.name(c);
                Text.left(g, name, x + 14, baseline);
                x += 14 + Text.width(Style.SMALL, name) + 3 * Style.GAP;
            }
            g.setColor(Style.CAPTION);
            Text.left(g, legendNote(), x, baseline);
        }
    }
}
