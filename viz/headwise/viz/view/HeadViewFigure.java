package headwise.viz.view;

import headwise.engine.run.AttentionMaps;
import headwise.viz.Figure;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * BertViz's head view: the tokens twice, queries on the left and keys on the right, and a line from each query to
 * each key it attends to, its width and opacity growing with the weight. One head, or several heads of a layer
 * overlaid in their own colours. Weights under {@link #MIN_WEIGHT} are not drawn (they would only grey the
 * picture); lines are vector shapes in SVG and PDF.
 */
public final class HeadViewFigure implements Figure {

    /** Lines for weights below this are left out. */
    public static final double MIN_WEIGHT = 0.01;
    private static final double SPAN = 260;
    private static final double MAX_LINE_WIDTH = 4.5;

    private final AttentionMaps attention;
    private final int layer;
    private final int[] heads;
    private final String[] labels;
    private final Header header;
    private final double pitch;
    private final double leftLabelsRight;
    private final double top;
    private final double legendY;
    private final int width;
    private final int height;

    /**
     * @param heads the heads of {@code layer} to draw (one colour each), at least one
     * @param tokens T labels, or null for positions
     */
    public HeadViewFigure(AttentionMaps attention, int layer, int[] heads, String[] tokens, String title) {
        if (heads.length == 0) {
            throw new IllegalArgumentException("the head view needs at least one head");
        }
        for (int h : heads) {
            if (h < 0 || h >= attention.heads()) {
                throw new IllegalArgumentException("head " + h + " outside 0.." + (attention.heads() - 1));
            }
        }
        if (layer < 0 || layer >= attention.layers()) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (attention.layers() - 1));
        }
        this.attention = attention;
        this.layer = layer;
        this.heads = heads.clone();
        this.labels = Labels.tokens(tokens, attention.length());
        int t = attention.length();
        this.pitch = Math.max(12, Math.min(20, 1200.0 / t));
        String which = heads.length == 1 ? "head " + heads[0] : heads.length + " heads";
        this.header = new Header(title, "layer " + layer + ", " + which + ": a line from each query (left) to each key (right), "
                + "width and opacity grow with the weight; weights below " + MIN_WEIGHT + " not drawn");
        double labelWidth = Text.widest(Style.LABEL, labels);
        this.leftLabelsRight = Style.PAD + labelWidth;
        this.top = header.height() + Text.height(Style.SMALL) + Style.GAP;
        this.legendY = top + t * pitch + Style.GAP;
        double right = leftLabelsRight + 2 * Style.GAP + SPAN + 2 * Style.GAP + labelWidth + Style.PAD;
        this.width = (int) Math.ceil(Math.max(header.width(), Math.max(right, Style.PAD + legendWidth() + Style.PAD)));
        this.height = (int) Math.ceil(legendY + (heads.length > 1 ? Text.height(Style.SMALL) + Style.GAP : 0) + Style.PAD);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    /** Colour of the i-th drawn head: blue alone, otherwise evenly spaced hues. */
    static Color headColour(int index, int count) {
        if (count == 1) {
            return new Color(0x00, 0x72, 0xB2);
        }
        return Color.getHSBColor((float) index / count, 0.8f, 0.75f);
    }

    private record Link(int head, int query, int key, double weight) {
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        int t = attention.length();
        double lineStart = leftLabelsRight + 2 * Style.GAP;
        double lineEnd = lineStart + SPAN;
        g.setFont(Style.SMALL);
        g.setColor(Style.CAPTION);
        Text.right(g, "queries", leftLabelsRight, top - Style.GAP);
        Text.left(g, "keys", lineEnd + 2 * Style.GAP, top - Style.GAP);

        List<Link> links = new ArrayList<>();
        for (int i = 0; i < heads.length; i++) {
            for (int q = 0; q < t; q++) {
                for (int k = 0; k < t; k++) {
                    double w = attention.get(layer, heads[i], q, k);
                    if (w >= MIN_WEIGHT) {
                        links.add(new Link(i, q, k, w));
                    }
                }
            }
        }
        links.sort(Comparator.comparingDouble(Link::weight)); // strong lines on top
        for (Link link : links) {
            Color c = headColour(link.head(), heads.length);
            double w = Math.min(1, link.weight());
            float alpha = (float) Math.min(1, (0.12 + 0.88 * w) / Math.sqrt(heads.length));
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), Math.round(alpha * 255)));
            g.setStroke(new BasicStroke((float) (0.4 + MAX_LINE_WIDTH * w), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
            g.draw(new Line2D.Double(lineStart, rowCentre(link.query()), lineEnd, rowCentre(link.key())));
        }

        g.setFont(Style.LABEL);
        g.setColor(Style.TEXT);
        double shift = Text.centreShift(Style.LABEL);
        for (int i = 0; i < t; i++) {
            Text.right(g, labels[i], leftLabelsRight, rowCentre(i) + shift);
            Text.left(g, labels[i], lineEnd + 2 * Style.GAP, rowCentre(i) + shift);
        }
        if (heads.length > 1) {
            drawHeadLegend(g);
        }
    }

    /**
     * Over the lines: the strongest line whose stroke lies under the cursor (the one drawn on top), as "query 2 “is”
     * → key 0 “[CLS]”: 0.5312" (with the head when several are drawn). Over a query's label: its strongest key; over
     * a key's label: the query that attends to it most. Null elsewhere.
     */
    @Override
    public String readout(double x, double y) {
        int t = attention.length();
        double lineStart = leftLabelsRight + 2 * Style.GAP;
        double lineEnd = lineStart + SPAN;
        int row = (int) Math.floor((y - top) / pitch);
        if (x < lineStart && x >= Style.PAD && row >= 0 && row < t) {
            return strongest(row, true);
        }
        if (x > lineEnd && x < width - Style.PAD && row >= 0 && row < t) {
            return strongest(row, false);
        }
        if (x < lineStart || x > lineEnd) {
            return null;
        }
        double f = (x - lineStart) / SPAN;
        String best = null;
        double bestWeight = -1;
        for (int i = 0; i < heads.length; i++) {
            // each line crosses x at one height: solve for the other end from one end (the end nearer the cursor
            // varies fastest, so stepping it keeps the search to a few candidates per token)
            for (int a = 0; a < t; a++) {
                double yFixed = rowCentre(a);
                double spanY = f < 0.5 ? (y - f * yFixed) / (1 - f) : (y - (1 - f) * yFixed) / f; // the other end's centre
                int centre = (int) Math.round((spanY - top) / pitch - 0.5);
                for (int b = Math.max(0, centre - 1); b <= Math.min(t - 1, centre + 1); b++) {
                    int q = f < 0.5 ? b : a;
                    int k = f < 0.5 ? a : b;
                    double w = attention.get(layer, heads[i], q, k);
                    double lineY = rowCentre(q) + f * (rowCentre(k) - rowCentre(q));
                    double halfWidth = (0.4 + MAX_LINE_WIDTH * Math.min(1, w)) / 2 + 1;
                    if (w >= MIN_WEIGHT && w > bestWeight && Math.abs(y - lineY) <= halfWidth) {
                        bestWeight = w;
                        best = describe(heads[i], q, k, w);
                    }
                }
            }
        }
        return best;
    }

    /** The strongest line from query {@code token} (or into key {@code token}) over the heads drawn. */
    private String strongest(int token, boolean fromQuery) {
        String best = null;
        double bestWeight = -1;
        for (int h : heads) {
            for (int other = 0; other < attention.length(); other++) {
                int q = fromQuery ? token : other;
                int k = fromQuery ? other : token;
                double w = attention.get(layer, h, q, k);
                if (w > bestWeight) {
                    bestWeight = w;
                    best = describe(h, q, k, w) + (fromQuery ? " (its strongest key)" : " (its strongest query)");
                }
            }
        }
        return best;
    }

    private String describe(int head, int query, int key, double weight) {
        return (heads.length > 1 ? "head " + head + ": " : "") + "query " + query + " \u201C" + labels[query] + "\u201D \u2192 key "
                + key + " \u201C" + labels[key] + "\u201D: " + Text.precise(weight);
    }

    /** The point a {@code fraction} of the way along the line from {@code query} to {@code key} (for tests). */
    java.awt.geom.Point2D linePoint(int query, int key, double fraction) {
        double lineStart = leftLabelsRight + 2 * Style.GAP;
        return new java.awt.geom.Point2D.Double(lineStart + fraction * SPAN, rowCentre(query) + fraction * (rowCentre(key) - rowCentre(query)));
    }

    private double rowCentre(int token) {
        return top + (token + 0.5) * pitch;
    }

    private double legendWidth() {
        if (heads.length == 1) {
            return 0;
        }
        double w = 0;
        for (int h : heads) {
            w += 12 + Style.GAP + Text.width(Style.SMALL, "head " + h) + 2 * Style.GAP;
        }
        return w;
    }

    private void drawHeadLegend(Graphics2D g) {
        g.setFont(Style.SMALL);
        double x = Style.PAD;
        double centre = legendY + (Text.height(Style.SMALL) + Style.GAP) / 2;
        for (int i = 0; i < heads.length; i++) {
            g.setColor(headColour(i, heads.length));
            g.fill(new Rectangle2D.Double(x, centre - 5, 12, 10));
            g.setColor(Style.TEXT);
            String name = "head " + heads[i];
            Text.left(g, name, x + 12 + Style.GAP, centre + Text.centreShift(Style.SMALL));
            x += 12 + Style.GAP + Text.width(Style.SMALL, name) + 2 * Style.GAP;
        }
    }
}
