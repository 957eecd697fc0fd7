package headwise.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;

/**
 * One attention head's T×T pattern as a picture: queries on rows (labels left), keys on columns (labels on top,
 * rotated), a title above and a colour legend on the right. Colours are linear from 0 to the matrix's largest value.
 * Pure java.awt: the same image goes to the UI, to PNG files and to tests.
 */
public final class AttentionHeatmap {

    /** The heatmap aims at about this many pixels a side (cells are whole pixels, so it is at most this). */
    public static final int TARGET_SIDE = 640;
    public static final int MAX_CELL = 40;
    /** Below this cell size token labels are not drawn: they could not be read. */
    public static final int MIN_LABEL_CELL = 6;
    /** Longer tokens are clipped to this many characters, the last one an ellipsis. */
    public static final int MAX_LABEL_CHARS = 14;

    private static final int PAD = 12;
    private static final int GAP = 4;
    private static final int LEGEND_GAP = 18;
    private static final int LEGEND_WIDTH = 14;
    private static final int MIN_LEGEND_HEIGHT = 80;
    private static final Color BACKGROUND = Color.WHITE;
    private static final Color TEXT = new Color(0x20, 0x20, 0x20);
    private static final Color CAPTION = new Color(0x70, 0x70, 0x70);
    private static final Color FRAME = new Color(0xB0, 0xB0, 0xB0);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font CAPTION_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private AttentionHeatmap() {
    }

    /** Cell size in pixels for {@code length} tokens: as large as fits {@link #TARGET_SIDE}, 1 to {@link #MAX_CELL}. */
    public static int cellSizeFor(int length) {
        return Math.max(1, Math.min(MAX_CELL, TARGET_SIDE / Math.max(1, length)));
    }

    /** The largest finite value of the first length×length entries (0 when there is none above 0). */
    public static float max(float[] matrix, int length) {
        checkMatrix(matrix, length);
        float max = 0f;
        for (int i = 0; i < length * length; i++) {
            if (matrix[i] > max && Float.isFinite(matrix[i])) {
                max = matrix[i];
            }
        }
        return max;
    }

    /**
     * The heatmap alone as ARGB pixels, (length·cellSize)² row-major: cell (query q, key k) fills the square at
     * column k, row q. Coloured linearly from 0 to {@link #max}.
     */
    public static int[] cells(float[] matrix, int length, int cellSize) {
        if (cellSize < 1) {
            throw new IllegalArgumentException("cell size must be at least 1, got " + cellSize);
        }
        float max = max(matrix, length);
        int side = length * cellSize;
        int[] pixels = new int[side * side];
        int[] rowColours = new int[length];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k < length; k++) {
                rowColours[k] = ColorScale.argb(matrix[q * length + k], max);
            }
            int firstLine = q * cellSize * side;
            for (int k = 0; k < length; k++) {
                Arrays.fill(pixels, firstLine + k * cellSize, firstLine + (k + 1) * cellSize, rowColours[k]);
            }
            for (int line = 1; line < cellSize; line++) {
                System.arraycopy(pixels, firstLine, pixels, firstLine + line * side, side);
            }
        }
        return pixels;
    }

    /** Where everything goes in the picture {@link #render} draws for these arguments. */
    public static Layout layout(int length, String[] tokens, String title) {
        String[] labels = labels(length, tokens);
        int cell = cellSizeFor(length);
        Font labelFont = labelFont(cell);
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = scratch.createGraphics();
        try {
            setHints(g);
            FontMetrics titleMetrics = g.getFontMetrics(TITLE_FONT);
            FontMetrics captionMetrics = g.getFontMetrics(CAPTION_FONT);
            int labelExtent = 0;
            if (labelFont != null) {
                FontMetrics labelMetrics = g.getFontMetrics(labelFont);
                for (String label : labels) {
                    labelExtent = Math.max(labelExtent, labelMetrics.stringWidth(label));
                }
                labelExtent += GAP;
            }
            int captionHeight = captionMetrics.getHeight();
            int titleHeight = title == null || title.isEmpty() ? 0 : titleMetrics.getHeight() + GAP;
            int side = length * cell;
            int heatmapX = PAD + captionHeight + GAP + labelExtent;
            int heatmapY = PAD + titleHeight + captionHeight + GAP + labelExtent;
            int legendX = heatmapX + side + LEGEND_GAP;
            int legendHeight = Math.max(side, MIN_LEGEND_HEIGHT);
            int tickWidth = GAP + 4 + captionMetrics.stringWidth("0.000");
            int width = Math.max(legendX + LEGEND_WIDTH + tickWidth + PAD,
                    PAD + (title == null ? 0 : titleMetrics.stringWidth(title)) + PAD);
            int height = heatmapY + legendHeight + PAD;
            return new Layout(width, height, heatmapX, heatmapY, cell, length, labelExtent, legendX, legendHeight);
        } finally {
            g.dispose();
        }
    }

    /**
     * Draws the heatmap with token labels, title and legend.
     *
     * @param matrix row-major, rows = queries, at least length² values
     * @param tokens one label per position, or null for position numbers
     */
    public static BufferedImage render(float[] matrix, int length, String[] tokens, String title) {
        checkMatrix(matrix, length);
        Layout layout = layout(length, tokens, title);
        String[] labels = labels(length, tokens);
        float max = max(matrix, length);
        BufferedImage image = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            setHints(g);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, layout.width(), layout.height());

            int side = layout.side();
            image.setRGB(layout.heatmapX(), layout.heatmapY(), side, side, cells(matrix, length, layout.cellSize()), 0, side);
            g.setColor(FRAME);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(layout.heatmapX() - 1, layout.heatmapY() - 1, side + 1, side + 1);

            if (title != null && !title.isEmpty()) {
                g.setColor(TEXT);
                g.setFont(TITLE_FONT);
                g.drawString(title, PAD, PAD + g.getFontMetrics().getAscent());
            }
            drawCaptions(g, layout);
            if (layout.labelled()) {
                drawLabels(g, layout, labels);
            }
            drawLegend(g, layout, max);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawCaptions(Graphics2D g, Layout layout) {
        g.setFont(CAPTION_FONT);
        g.setColor(CAPTION);
        FontMetrics fm = g.getFontMetrics();
        int keysBaseline = layout.heatmapY() - GAP - layout.labelExtent() - fm.getDescent();
        g.drawString("keys \u2192", layout.heatmapX(), keysBaseline);
        AffineTransform saved = g.getTransform();
        String queries = "\u2190 queries"; // rotated to read upwards, so the arrow points down the rows
        g.translate(PAD + fm.getAscent(), layout.heatmapY() + fm.stringWidth(queries));
        g.rotate(-Math.PI / 2);
        g.drawString(queries, 0, 0);
        g.setTransform(saved);
    }

    private static void drawLabels(Graphics2D g, Layout layout, String[] labels) {
        Font font = labelFont(layout.cellSize());
        g.setFont(font);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        int cell = layout.cellSize();
        int centreShift = (fm.getAscent() - fm.getDescent()) / 2;
        for (int q = 0; q < labels.length; q++) {
            int y = layout.heatmapY() + q * cell + cell / 2 + centreShift;
            g.drawString(labels[q], layout.heatmapX() - GAP - fm.stringWidth(labels[q]), y);
        }
        AffineTransform saved = g.getTransform();
        for (int k = 0; k < labels.length; k++) {
            int x = layout.heatmapX() + k * cell + cell / 2 + centreShift;
            g.setTransform(saved);
            g.translate(x, layout.heatmapY() - GAP);
            g.rotate(-Math.PI / 2);
            g.drawString(labels[k], 0, 0);
        }
        g.setTransform(saved);
    }

    private static void drawLegend(Graphics2D g, Layout layout, float max) {
        int x = layout.legendX();
        int top = layout.heatmapY();
        int height = layout.legendHeight();
        for (int line = 0; line < height; line++) {
            double fraction = height == 1 ? 1.0 : 1.0 - (double) line / (height - 1);
            g.setColor(new Color(ColorScale.argb(fraction), true));
            g.fillRect(x, top + line, LEGEND_WIDTH, 1);
        }
        g.setColor(FRAME);
        g.drawRect(x - 1, top - 1, LEGEND_WIDTH + 1, height + 1);

        g.setFont(CAPTION_FONT);
        FontMetrics fm = g.getFontMetrics();
        int tickX = x + LEGEND_WIDTH + 1;
        int textX = tickX + 4 + GAP;
        int half = (fm.getAscent() - fm.getDescent()) / 2;
        g.setColor(TEXT);
        g.drawLine(tickX, top, tickX + 4, top);
        g.drawString(formatTick(max), textX, top + Math.max(half, fm.getAscent() - 2));
        int bottom = top + height - 1;
        g.drawLine(tickX, bottom, tickX + 4, bottom);
        g.drawString("0", textX, bottom + half);
    }

    static String formatTick(float value) {
        if (value == 0f) {
            return "0";
        }
        return value >= 0.1f ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.2g", value);
    }

    /** The font for token labels at this cell size, or null when labels would be unreadable. */
    static Font labelFont(int cellSize) {
        if (cellSize < MIN_LABEL_CELL) {
            return null;
        }
        return new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(6, Math.min(12, cellSize - 2)));
    }

    /** What a token looks like as a label: control characters made visible, long ones clipped. */
    public static String shorten(String token) {
        if (token == null) {
            return "";
        }
        if (token.isBlank()) {
            return token.contains("\n") ? "\u21B5" : "\u2423";
        }
        StringBuilder out = new StringBuilder();
        token.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isISOControl(c)) {
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(c);
            }
        });
        String text = out.toString();
        if (text.codePointCount(0, text.length()) > MAX_LABEL_CHARS) {
            text = text.substring(0, text.offsetByCodePoints(0, MAX_LABEL_CHARS - 1)) + "\u2026";
        }
        return text;
    }

    private static String[] labels(int length, String[] tokens) {
        if (tokens != null && tokens.length != length) {
            throw new IllegalArgumentException(tokens.length + " tokens for a " + length + "×" + length + " matrix");
        }
        String[] labels = new String[length];
        for (int i = 0; i < length; i++) {
            labels[i] = tokens == null ? Integer.toString(i) : shorten(tokens[i]);
        }
        return labels;
    }

    private static void checkMatrix(float[] matrix, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be at least 1, got " + length);
        }
        if (matrix.length < (long) length * length) {
            throw new IllegalArgumentException("matrix has " + matrix.length + " values, fewer than " + length + "×" + length);
        }
    }

    private static void setHints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    }

    /**
     * Pixel positions in a rendered heatmap image.
     *
     * @param heatmapX   left edge of key column 0
     * @param heatmapY   top edge of query row 0
     * @param labelExtent room for token labels left of and above the heatmap; 0 when cells are too small for labels
     */
    public record Layout(int width, int height, int heatmapX, int heatmapY, int cellSize, int length, int labelExtent,
                         int legendX, int legendHeight) {

        /** Whether token labels are drawn (cells of at least {@link #MIN_LABEL_CELL} pixels). */
        public boolean labelled() {
            return labelExtent > 0;
        }

        public int side() {
            return length * cellSize;
        }

        /** Centre pixel of the cell (query, key). */
        public int centreX(int key) {
            return heatmapX + key * cellSize + cellSize / 2;
        }

        public int centreY(int query) {
            return heatmapY + query * cellSize + cellSize / 2;
        }

        /** {query, key} under image pixel (x, y), or null outside the heatmap. */
        public int[] cellAt(double x, double y) {
            int key = (int) Math.floor((x - heatmapX) / cellSize);
            int query = (int) Math.floor((y - heatmapY) / cellSize);
            if (x < heatmapX || y < heatmapY || key >= length || query >= length) {
                return null;
            }
            return new int[] {query, key};
        }
    }
}
