package headwise.viz.view;

import headwise.engine.run.AttentionMaps;
import headwise.viz.ColorScale;
import headwise.viz.Figure;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Every head at once (BertViz's model view): an L×H grid of thumbnails of each head's attention, each coloured from
 * 0 to that head's own largest weight, all drawn as ONE image. Head types are coloured frames and importance a bar
 * under each thumbnail ({@link HeadMarks}).
 */
public final class ModelViewFigure implements Figure {

    private static final int FRAME = 3;
    private static final int BAR = 4;
    private static final int GAP = 10;
    private static final Color POSITIVE_BAR = new Color(0x40, 0x40, 0x40);
    private static final Color NEGATIVE_BAR = new Color(0xD5, 0x5E, 0x00);

    private final AttentionMaps attention;
    private final HeadMarks marks;
    private final Header header;
    private final int thumb;
    private final int pitchX;
    private final int pitchY;
    private final double gridX;
    private final double gridY;
    private final double legendY;
    private final int width;
    private final int height;

    public ModelViewFigure(AttentionMaps attention, String title, HeadMarks marks) {
        this.attention = attention;
        this.marks = marks == null ? HeadMarks.none() : marks;
        this.thumb = thumbSizeFor(attention.heads(), attention.length());
        this.pitchX = thumb + GAP;
        this.pitchY = thumb + GAP + (this.marks.importance() != null ? BAR + 2 : 0);
        this.header = new Header(title, attention.layers() + " layers \u00D7 " + attention.heads() + " heads, "
                + attention.length() + " tokens; each thumbnail is one head (rows: queries, columns: keys), coloured 0 to its own largest weight");
        this.gridX = Style.PAD + Text.width(Style.LABEL, "L" + (attention.layers() - 1)) + 2 * Style.GAP;
        this.gridY = header.height() + Text.height(Style.LABEL) + Style.GAP;
        this.legendY = gridY + attention.layers() * pitchY + Style.GAP;
        this.width = (int) Math.ceil(Math.max(header.width(), Math.max(gridX + attention.heads() * pitchX + Style.PAD,
                Style.PAD + legendWidth() + Style.PAD)));
        this.height = (int) Math.ceil(legendY + legendHeight() + Style.PAD);
    }

    /** Thumbnails of at most 96 and at least 24 units, so that a row of heads fits about 1000 units. */
    static int thumbSizeFor(int heads, int length) {
        int fit = Math.max(24, Math.min(96, 1000 / Math.max(1, heads) - GAP));
        return length <= fit ? Math.max(length, fit / length * length) : fit;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    /** Top-left corner of head (layer, head)'s thumbnail. */
    public double[] thumbnailCorner(int layer, int head) {
        return new double[] {Math.round(gridX) + head * pitchX, Math.round(gridY) + layer * pitchY};
    }

    public int thumbnailSize() {
        return thumb;
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        int left = (int) Math.round(gridX);
        int top = (int) Math.round(gridY);
        g.drawImage(thumbnails(), left, top, null);
        g.setFont(Style.LABEL);
        g.setColor(Style.TEXT);
        double shift = Text.centreShift(Style.LABEL);
        for (int h = 0; h < attention.heads(); h++) {
            Text.centred(g, "H" + h, left + h * pitchX + thumb / 2.0, top - Style.GAP - Text.descent(Style.LABEL));
        }
        for (int l = 0; l < attention.layers(); l++) {
            Text.right(g, "L" + l, left - 2 * Style.GAP, top + l * pitchY + thumb / 2.0 + shift);
        }
        drawMarks(g, left, top);
        drawLegend(g);
    }

    private void drawMarks(Graphics2D g, int left, int top) {
        double maxImportance = maxAbs(marks.importance());
        for (int l = 0; l < attention.layers(); l++) {
            for (int h = 0; h < attention.heads(); h++) {
                double x = left + h * pitchX;
                double y = top + l * pitchY;
                int category = marks.categoryOf(l, h);
                if (category >= 0) {
                    g.setColor(categoryColour(category));
                    g.setStroke(new BasicStroke(FRAME));
                    g.draw(new Rectangle2D.Double(x - FRAME / 2.0 - 1, y - FRAME / 2.0 - 1, thumb + FRAME + 1, thumb + FRAME + 1));
                } else {
                    g.setColor(Style.FRAME);
                    g.setStroke(new BasicStroke(1f));
                    g.draw(new Rectangle2D.Double(x - 0.5, y - 0.5, thumb + 1, thumb + 1));
                }
                if (marks.importance() != null && maxImportance > 0) {
                    double v = marks.importance()[l][h];
                    double length = Double.isFinite(v) ? Math.abs(v) / maxImportance * thumb : 0;
                    g.setColor(v < 0 ? NEGATIVE_BAR : POSITIVE_BAR);
                    g.fill(new Rectangle2D.Double(x, y + thumb + FRAME + 1, Math.max(length, 0.5), BAR));
                }
            }
        }
    }

    private double legendWidth() {
        double w = 0;
        for (String c : marks.categories()) {
            w += 16 + Style.GAP + Text.width(Style.SMALL, c) + 3 * Style.GAP;
        }
        return Math.max(w, Text.width(Style.SMALL, importanceLine()));
    }

    private double legendHeight() {
        double line = Text.height(Style.SMALL) + Style.GAP;
        return (marks.category() != null && !marks.categories().isEmpty() ? line : 0) + (marks.importance() != null ? line : 0);
    }

    private String importanceLine() {
        if (marks.importance() == null) {
            return "";
        }
        return "bar under a head: " + marks.importanceName() + ", longest = largest |score| " + Text.number(maxAbs(marks.importance()))
                + " (dark: positive, orange: negative)";
    }

    private void drawLegend(Graphics2D g) {
        g.setFont(Style.SMALL);
        double y = legendY;
        double shift = Text.centreShift(Style.SMALL);
        double line = Text.height(Style.SMALL) + Style.GAP;
        if (marks.category() != null && !marks.categories().isEmpty()) {
            double x = Style.PAD;
            for (int c = 0; c < marks.categories().size(); c++) {
                g.setColor(categoryColour(c));
                g.setStroke(new BasicStroke(FRAME));
                g.draw(new Rectangle2D.Double(x + 1.5, y + line / 2 - 5, 13, 10));
                g.setColor(Style.TEXT);
                Text.left(g, marks.categories().get(c), x + 16 + Style.GAP, y + line / 2 + shift);
                x += 16 + Style.GAP + Text.width(Style.SMALL, marks.categories().get(c)) + 3 * Style.GAP;
            }
            y += line;
        }
        if (marks.importance() != null) {
            g.setColor(Style.CAPTION);
            Text.left(g, importanceLine(), Style.PAD, y + line / 2 + shift);
        }
    }

    static Color categoryColour(int category) {
        return Style.CATEGORIES[category % Style.CATEGORIES.length];
    }

    /**
     * All thumbnails in one image, white between them: each pixel is the mean of the cells it covers. Heads are
     * independent, so they are drawn in parallel; a long input's head is read in one pass that adds each weight to
     * its pixel's bin (no per-pixel loops over cells).
     */
    BufferedImage thumbnails() {
        int heads = attention.heads();
        int layers = attention.layers();
        int w = heads * pitchX - GAP;
        int h = layers * pitchY - (pitchY - thumb);
        int[] pixels = new int[w * h];
        Arrays.fill(pixels, 0xFFFFFFFF);
        int t = attention.length();
        int[] from = new int[thumb + 1];
        for (int p = 0; p <= thumb; p++) {
            from[p] = (int) ((long) p * t / thumb);
        }
        IntStream.range(0, layers * heads).parallel().forEach(m -> {
            int l = m / heads;
            int hd = m % heads;
            float[] values = attention.head(l, hd); // head by head: the whole model may not fit one array
            int[] colours = t >= thumb ? binnedMeans(values, t, from) : sampledMeans(values, t, from);
            int x0 = hd * pitchX;
            int y0 = l * pitchY;
            for (int py = 0; py < thumb; py++) {
                System.arraycopy(colours, py * thumb, pixels, (y0 + py) * w + x0, thumb);
            }
        });
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, w, h, pixels, 0, w);
        return image;
    }

    /** T ≥ thumb: every cell lies in exactly one pixel; one pass sums each pixel's cells. */
    private int[] binnedMeans(float[] values, int t, int[] from) {
        double[] sums = new double[thumb * thumb];
        float max = 0;
        for (int py = 0; py < thumb; py++) {
            int base = py * thumb;
            for (int q = from[py]; q < from[py + 1]; q++) {
                int row = q * t;
                for (int px = 0; px < thumb; px++) {
                    float s = 0; // float within a row's run of at most T/thumb cells, double across rows
                    for (int k = row + from[px], end = row + from[px + 1]; k < end; k++) {
                        float v = values[k];
                        s += v;
                        max = v > max && v < Float.POSITIVE_INFINITY ? v : max;
                    }
                    sums[base + px] += s;
                }
            }
        }
        int[] out = new int[thumb * thumb];
        for (int py = 0; py < thumb; py++) {
            for (int px = 0; px < thumb; px++) {
                double cells = (double) (from[py + 1] - from[py]) * (from[px + 1] - from[px]);
                out[py * thumb + px] = ColorScale.argb(sums[py * thumb + px] / cells, max);
            }
        }
        return out;
    }

    /** T < thumb: each pixel shows the one cell it falls in. */
    private int[] sampledMeans(float[] values, int t, int[] from) {
        float max = 0;
        for (int i = 0; i < t * t; i++) {
            max = Float.isFinite(values[i]) ? Math.max(max, values[i]) : max;
        }
        int[] out = new int[thumb * thumb];
        for (int py = 0; py < thumb; py++) {
            for (int px = 0; px < thumb; px++) {
                out[py * thumb + px] = ColorScale.argb(values[from[py] * t + from[px]], max);
            }
        }
        return out;
    }

    private static double maxAbs(double[][] values) {
        double max = 0;
        if (values != null) {
            for (double[] row : values) {
                for (double v : row) {
                    if (Double.isFinite(v)) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
            }
        }
        return max;
    }
}
