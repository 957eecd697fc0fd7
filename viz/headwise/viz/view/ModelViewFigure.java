package headwise.viz.view;

import headwise.viz.draw.Scales;
import headwise.viz.Figure;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;

/**
 * Every head at once (BertViz's model view): an L×H grid of thumbnails of each head's attention, each coloured from
 * 0 to that head's own largest weight (long inputs: pooled by maximum, see {@link ModelThumbnails}), all drawn as ONE
 * image. Head types are coloured frames and importance a bar
 * under each thumbnail ({@link HeadMarks}).
 */
public final class ModelViewFigure implements Figure {

    private static final int FRAME = 3;
    private static final int BAR = 4;
    private static final int GAP = 10;

    private final ModelThumbnails tiles;
    private final HeadMarks marks;
    /** What the thumbnails show when they are not T × T maps (keys by class), or null. */
    private final ThumbnailMeaning meaning;
    private final Header header;
    private final int thumb;
    private final int pitchX;
    private final int pitchY;
    private final double gridX;
    private final double gridY;
    private final double legendY;
    private final int width;
    private final int height;

    /** @param tiles every head's thumbnail, built once per run ({@link ModelThumbnails#of}); drawing only composes them */
    public ModelViewFigure(ModelThumbnails tiles, String title, HeadMarks marks) {
        this(tiles, title, marks, null);
    }

    /** @param meaning what thumbnails other than T × T maps show (their caption, readout, layer strips), or null */
    public ModelViewFigure(ModelThumbnails tiles, String title, HeadMarks marks, ThumbnailMeaning meaning) {
        this.tiles = tiles;
        this.meaning = meaning;
        this.marks = marks == null ? HeadMarks.none() : marks;
        this.thumb = tiles.size();
        this.pitchX = thumb + GAP;
        this.pitchY = thumb + GAP + (this.marks.importance() != null ? BAR + 2 : 0);
        this.header = new Header(title, tiles.layers() + " layers \u00D7 " + tiles.heads() + " heads, "
                + tiles.length() + " tokens; " + (meaning != null ? meaning.caption()
                : "each thumbnail is one head (rows: queries, columns: keys), coloured 0 to its own largest weight"
                + (tiles.length() > tiles.size() ? " (pixels: the largest of their cells; scale to the head's " + ModelThumbnails.TOP_PERCENTILE + "th percentile)" : "")));
        this.gridX = Style.PAD + Text.width(Style.LABEL, "L" + (tiles.layers() - 1)) + 2 * Style.GAP;
        this.gridY = header.height() + Text.height(Style.LABEL) + Style.GAP;
        this.legendY = gridY + tiles.layers() * pitchY + Style.GAP;
        this.width = (int) Math.ceil(Math.max(header.width(), Math.max((meaning == null ? gridX + tiles.heads() * pitchX : stripX() + stripWidth()) + Style.PAD,
                Style.PAD + legendWidth() + Style.PAD)));
        this.height = (int) Math.ceil(legendY + legendHeight() + Style.PAD);
    }

    private double stripWidth() {
        return meaning == null ? 0 : meaning.stripWidth();
    }

    /** Left edge of the layer strips (or the grid's right edge without them). */
    private double stripX() {
        return Math.round(gridX) + tiles.heads() * pitchX;
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

    /** {layer, head} of the thumbnail under figure point (x, y), or null between and outside them. */
    public int[] headAt(double x, double y) {
        int h = (int) Math.floor((x - Math.round(gridX)) / pitchX);
        int l = (int) Math.floor((y - Math.round(gridY)) / pitchY);
        if (l < 0 || h < 0 || l >= tiles.layers() || h >= tiles.heads()) {
            return null;
        }
        double[] corner = thumbnailCorner(l, h);
        return x - corner[0] < thumb && y - corner[1] < thumb ? new int[] {l, h} : null;
    }

    /**
     * "layer 2, head 5 · previous-token · ablation Δloss 0.1234"; the head's type and score when marked; with a
     * {@link ThumbnailMeaning}, what the point of the thumbnail shows, and a layer strip's readout.
     */
    @Override
    public String readout(double x, double y) {
        int[] at = headAt(x, y);
        if (at == null) {
            return stripReadout(x, y);
        }
        StringBuilder out = new StringBuilder("layer " + at[0] + ", head " + at[1]);
        if (meaning != null) {
            double[] corner = thumbnailCorner(at[0], at[1]);
            out.append(" \u00B7 ").append(meaning.readout(at[0], at[1], (x - corner[0]) / thumb, (y - corner[1]) / thumb));
        }
        int category = marks.categoryOf(at[0], at[1]);
        if (category >= 0) {
            out.append(" \u00B7 ").append(marks.categories().get(category));
        }
        if (marks.importance() != null) {
            out.append(" \u00B7 ").append(marks.importanceName()).append(' ').append(Text.precise(marks.importance()[at[0]][at[1]]));
        }
        return out.append(" \u00B7 click to open").toString();
    }

    private String stripReadout(double x, double y) {
        double dx = x - stripX() - GAP / 2.0;
        int l = (int) Math.floor((y - Math.round(gridY)) / pitchY);
        if (meaning == null || dx < 0 || dx >= stripWidth() - GAP / 2.0 || l < 0 || l >= tiles.layers()
                || y - (Math.round(gridY) + l * pitchY) >= thumb) {
            return null;
        }
        return "layer " + l + " \u00B7 " + meaning.stripReadout(l, dx / (stripWidth() - GAP / 2.0));
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
        for (int h = 0; h < tiles.heads(); h++) {
            Text.centred(g, "H" + h, left + h * pitchX + thumb / 2.0, top - Style.GAP - Text.descent(Style.LABEL));
        }
        for (int l = 0; l < tiles.layers(); l++) {
            Text.right(g, "L" + l, left - 2 * Style.GAP, top + l * pitchY + thumb / 2.0 + shift);
        }
        drawMarks(g, left, top);
        if (meaning != null) {
            for (int l = 0; l < tiles.layers(); l++) {
                meaning.drawStrip(g, l, stripX() + GAP / 2.0, top + l * pitchY, stripWidth() - GAP / 2.0, thumb);
            }
        }
        drawLegend(g);
    }

    private void drawMarks(Graphics2D g, int left, int top) {
        double maxImportance = maxAbs(marks.importance());
        for (int l = 0; l < tiles.layers(); l++) {
            for (int h = 0; h < tiles.heads(); h++) {
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
                    g.setColor(Scales.sign(v));
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
        return Math.max(Math.max(w, Text.width(Style.SMALL, importanceLine())), meaning == null ? 0 : meaning.legendWidth());
    }

    private double legendHeight() {
        double line = Text.height(Style.SMALL) + Style.GAP;
        return (marks.category() != null && !marks.categories().isEmpty() ? line : 0) + (marks.importance() != null ? line : 0)
                + (meaning == null ? 0 : meaning.legendHeight());
    }

    private String importanceLine() {
        if (marks.importance() == null) {
            return "";
        }
        return "bar under a head: " + marks.importanceName() + ", longest = largest |score| " + Text.number(maxAbs(marks.importance()))
                + " (red: positive, blue: negative)";
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
            y += line;
        }
        if (meaning != null) {
            meaning.drawLegend(g, Style.PAD, y);
        }
    }

    static Color categoryColour(int category) {
        return Scales.category(category);
    }

    /** All thumbnails in one image, white between them: only copies of the prebuilt tiles. */
    BufferedImage thumbnails() {
        int heads = tiles.heads();
        int w = heads * pitchX - GAP;
        int h = tiles.layers() * pitchY - (pitchY - thumb);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        Arrays.fill(pixels, 0xFFFFFFFF);
        for (int l = 0; l < tiles.layers(); l++) {
            for (int hd = 0; hd < heads; hd++) {
                int[] tile = tiles.tile(l, hd);
                int at = l * pitchY * w + hd * pitchX;
                for (int py = 0; py < thumb; py++) {
                    System.arraycopy(tile, py * thumb, pixels, at + py * w, thumb);
                }
            }
        }
        return image;
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
