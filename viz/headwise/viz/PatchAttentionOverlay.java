package headwise.viz;

import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a vision transformer's CLS token looks: the input image (as the model saw it, after resizing) on the left,
 * and on the right the same image, in grey, under one head's attention from CLS to each patch, as a semi-transparent
 * viridis overlay with the patch grid drawn and the strongest patch outlined. A title, a caption with the attention that
 * went to the special tokens instead of the patches, and a colour legend (0 to the largest patch weight).
 * Pure java.awt: the same image goes to the UI, to PNG files and to tests.
 */
public final class PatchAttentionOverlay {

    /** The picture's shorter side is upscaled (nearest neighbour, whole factors) to at least this... */
    public static final int MIN_SIDE = 256;
    /** ...and its longer side to about this, when a whole factor allows... */
    public static final int TARGET_SIDE = 384;
    /** ...but never beyond this (larger images are scaled down smoothly to fit). */
    public static final int MAX_SIDE = 768;
    /** Opacity of the attention colours over the image. */
    public static final float OVERLAY_ALPHA = 0.62f;

    private static final int PAD = 14;
    private static final int GAP = 6;
    private static final int PANEL_GAP = 20;
    private static final int LEGEND_GAP = 16;
    private static final int LEGEND_WIDTH = 14;
    private static final Color BACKGROUND = Color.WHITE;
    private static final Color TEXT = new Color(0x20, 0x20, 0x20);
    private static final Color CAPTION = new Color(0x70, 0x70, 0x70);
    private static final Color FRAME = new Color(0xB0, 0xB0, 0xB0);
    private static final Color GRID = new Color(255, 255, 255, 120);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font CAPTION_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font INDEX_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    private PatchAttentionOverlay() {
    }

    /**
     * Draws the picture.
     *
     * @param image   the image the model saw (its patches tile it exactly: cols·P × rows·P; another size is stretched)
     * @param row     one head's attention row of the CLS query over all T keys: {@code special} tokens, then the
     *                rows·cols patches row-major
     * @param special how many tokens come before the patches (1: CLS; 2: CLS and DeiT's distillation token)
     * @param title   drawn above, or null
     */
    public static BufferedImage render(BufferedImage image, float[] row, int special, int rows, int cols, String title) {
        checkGrid(row, special, rows, cols);
        Layout layout = layout(image.getWidth(), image.getHeight(), rows, cols, title);
        BufferedImage out = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        try {
            draw(g, image, row, special, rows, cols, title);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Draws the picture {@link #render} makes on any Graphics2D ({@link #layout} gives its size): the two panels are
     * images, everything else is text and lines, so SVG and PDF keep them as such.
     */
    public static void draw(Graphics2D g, BufferedImage image, float[] row, int special, int rows, int cols, String title) {
        draw(g, image, row, special, rows, cols, title, 0);
    }

    /**
     * As {@link #draw(Graphics2D, BufferedImage, float[], int, int, int, String)} for the row of query token
     * {@code query} (0: [CLS]; from {@code special} on, a patch), which the captions name.
     */
    public static void draw(Graphics2D g, BufferedImage image, float[] row, int special, int rows, int cols, String title, int query) {
        checkGrid(row, special, rows, cols);
        Layout layout = layout(image.getWidth(), image.getHeight(), rows, cols, title);
        float[] patches = new float[rows * cols];
        System.arraycopy(row, special, patches, 0, patches.length);
        int strongest = argmax(patches);
        float max = strongest < 0 ? 0f : patches[strongest];

        setHints(g);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, layout.width(), layout.height());

        int pw = layout.panelWidth();
        int ph = layout.panelHeight();
        int[] scaled = scaled(image, pw, ph);
        g.drawImage(panel(scaled, pw, ph), layout.imageX(), layout.panelY(), null);
        g.drawImage(panel(overlay(scaled, pw, ph, patches, rows, cols, max), pw, ph), layout.overlayX(), layout.panelY(), null);

        drawGrid(g, layout, rows, cols);
        if (strongest >= 0 && max > 0) {
            outline(g, layout, strongest / cols, strongest % cols);
        }
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(layout.imageX() - 1, layout.panelY() - 1, pw + 1, ph + 1);
        g.drawRect(layout.overlayX() - 1, layout.panelY() - 1, pw + 1, ph + 1);

        drawText(g, layout, row, special, patches, strongest, rows, cols, image, title, query);
        drawLegend(g, layout, max);
    }

    private static void checkGrid(float[] row, int special, int rows, int cols) {
        if (rows < 1 || cols < 1 || special < 0) {
            throw new IllegalArgumentException("bad patch grid " + rows + "x" + cols + " after " + special + " special tokens");
        }
        if (row.length != special + rows * cols) {
            throw new IllegalArgumentException(row.length + " attention values for " + special + " special tokens and a "
                    + rows + "x" + cols + " patch grid");
        }
    }

    private static BufferedImage panel(int[] pixels, int width, int height) {
        BufferedImage panel = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        panel.setRGB(0, 0, width, height, pixels, 0, width);
        return panel;
    }

    /** Where everything goes in the picture {@link #render} draws for these arguments. */
    public static Layout layout(int imageWidth, int imageHeight, int rows, int cols, String title) {
        double scale = scaleFor(imageWidth, imageHeight);
        int pw = (int) Math.round(imageWidth * scale);
        int ph = (int) Math.round(imageHeight * scale);
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = scratch.createGraphics();
        try {
            setHints(g);
            FontMetrics titleMetrics = g.getFontMetrics(TITLE_FONT);
            FontMetrics caption = g.getFontMetrics(CAPTION_FONT);
            FontMetrics index = g.getFontMetrics(INDEX_FONT);
            int y = PAD;
            if (title != null && !title.isEmpty()) {
                y += titleMetrics.getHeight() + GAP;
            }
            int summaryBaseline = y + caption.getAscent();
            y += caption.getHeight() + GAP;
            int headingBaseline = y + caption.getAscent();
            y += caption.getHeight() + 2;
            int panelY = y + index.getHeight() + 2; // room for the column numbers above the overlay
            int imageX = PAD;
            int overlayX = imageX + pw + PANEL_GAP + index.stringWidth("000");
            int legendX = overlayX + pw + LEGEND_GAP;
            int tickRoom = GAP + 4 + caption.stringWidth("0.000") + GAP + caption.getHeight();
            int width = Math.max(legendX + LEGEND_WIDTH + tickRoom + PAD,
                    PAD + (title == null ? 0 : titleMetrics.stringWidth(title)) + PAD);
            int height = panelY + ph + GAP + caption.getHeight() + PAD;
            return new Layout(width, height, scale, imageX, overlayX, panelY, pw, ph, legendX, rows, cols,
                    summaryBaseline, headingBaseline);
        } finally {
            g.dispose();
        }
    }

    /**
     * Display scale: a whole factor (nearest neighbour keeps the pixels sharp) that brings the shorter side to at
     * least {@link #MIN_SIDE} and the longer one towards {@link #TARGET_SIDE}, within {@link #MAX_SIDE}; images
     * already larger than {@link #MAX_SIDE} are scaled down to fit.
     */
    public static double scaleFor(int width, int height) {
        int longer = Math.max(width, height);
        int shorter = Math.min(width, height);
        if (longer > MAX_SIDE) {
            return (double) MAX_SIDE / longer;
        }
        int k = Math.max(1, Math.max((MIN_SIDE + shorter - 1) / shorter, TARGET_SIDE / longer));
        while (k > 1 && longer * k > MAX_SIDE) {
            k--;
        }
        return k;
    }

    /** An 8-bit image as stored by decoders (rows top to bottom, 1 grey or 3 RGB channels interleaved). */
    public static BufferedImage rgbImage(int width, int height, int channels, byte[] samples) {
        if (channels != 1 && channels != 3 || (long) width * height * channels != samples.length) {
            throw new IllegalArgumentException(samples.length + " samples for " + width + "x" + height + "x" + channels);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] line = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * channels;
                int r = samples[i] & 0xFF;
                int gr = samples[i + (channels == 3 ? 1 : 0)] & 0xFF;
                int b = samples[i + (channels == 3 ? 2 : 0)] & 0xFF;
                line[x] = 0xFF000000 | r << 16 | gr << 8 | b;
            }
            image.setRGB(0, y, width, 1, line, 0, width);
        }
        return image;
    }

    /** (1 − α)·under + α·over, per channel, opaque. */
    public static int blend(int under, int over, float alpha) {
        int out = 0xFF000000;
        for (int shift = 0; shift <= 16; shift += 8) {
            int a = under >> shift & 0xFF;
            int b = over >> shift & 0xFF;
            out |= Math.round((1 - alpha) * a + alpha * b) << shift;
        }
        return out;
    }

    /** {@code image} drawn at width×height (nearest neighbour up, bilinear down) as ARGB pixels, row-major. */
    public static int[] scaled(BufferedImage image, int width, int height) {
        BufferedImage panel = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = panel.createGraphics();
        try {
            boolean up = width >= image.getWidth() && height >= image.getHeight();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, up
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return panel.getRGB(0, 0, width, height, null, 0, width);
    }

    /**
     * The overlay panel's pixels: each pixel of {@code scaled} in grey under the viridis colour of its patch's weight
     * (0 to {@code max}) at {@link #OVERLAY_ALPHA}.
     */
    public static int[] overlay(int[] scaled, int width, int height, float[] patches, int rows, int cols, float max) {
        int[] colours = new int[patches.length];
        for (int i = 0; i < patches.length; i++) {
            colours[i] = ColorScale.argb(patches[i], max);
        }
        int[] out = new int[scaled.length];
        for (int y = 0; y < height; y++) {
            int r = Math.min(rows - 1, (int) ((long) y * rows / height));
            for (int x = 0; x < width; x++) {
                int c = Math.min(cols - 1, (int) ((long) x * cols / width));
                out[y * width + x] = blend(grey(scaled[y * width + x]), colours[r * cols + c], OVERLAY_ALPHA);
            }
        }
        return out;
    }

    /**
     * The image under the overlay is shown in grey (Rec. 601 luma), so that the colours read as the legend's:
     * yellow over a red patch would otherwise look orange.
     */
    public static int grey(int rgb) {
        int luma = (int) Math.round(0.299 * (rgb >> 16 & 0xFF) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF));
        return 0xFF000000 | luma << 16 | luma << 8 | luma;
    }

    private static void drawGrid(Graphics2D g, Layout layout, int rows, int cols) {
        g.setColor(GRID);
        g.setStroke(new BasicStroke(1f));
        for (int c = 1; c < cols; c++) {
            int x = layout.overlayX() + layout.cellLeft(c);
            g.drawLine(x, layout.panelY(), x, layout.panelY() + layout.panelHeight() - 1);
        }
        for (int r = 1; r < rows; r++) {
            int y = layout.panelY() + layout.cellTop(r);
            g.drawLine(layout.overlayX(), y, layout.overlayX() + layout.panelWidth() - 1, y);
        }
        // patch indices along the top and the left, where there is room for them
        g.setFont(INDEX_FONT);
        g.setColor(CAPTION);
        FontMetrics fm = g.getFontMetrics();
        int widest = fm.stringWidth(Integer.toString(Math.max(rows, cols) - 1));
        if (layout.panelWidth() / cols >= widest + 4) {
            for (int c = 0; c < cols; c++) {
                String s = Integer.toString(c);
                int centre = layout.overlayX() + (layout.cellLeft(c) + layout.cellLeft(c + 1)) / 2;
                g.drawString(s, centre - fm.stringWidth(s) / 2, layout.panelY() - 3 - fm.getDescent());
            }
        }
        if (layout.panelHeight() / rows >= fm.getHeight()) {
            for (int r = 0; r < rows; r++) {
                String s = Integer.toString(r);
                int centre = layout.panelY() + (layout.cellTop(r) + layout.cellTop(r + 1)) / 2;
                g.drawString(s, layout.overlayX() - 4 - fm.stringWidth(s), centre + (fm.getAscent() - fm.getDescent()) / 2);
            }
        }
    }

    /** A white frame with a dark edge around the strongest patch: visible on any colour. */
    private static void outline(Graphics2D g, Layout layout, int r, int c) {
        int x = layout.overlayX() + layout.cellLeft(c);
        int y = layout.panelY() + layout.cellTop(r);
        int w = layout.cellLeft(c + 1) - layout.cellLeft(c);
        int h = layout.cellTop(r + 1) - layout.cellTop(r);
        g.setStroke(new BasicStroke(3f));
        g.setColor(new Color(0, 0, 0, 150));
        g.drawRect(x + 1, y + 1, w - 3, h - 3);
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(Color.WHITE);
        g.drawRect(x + 1, y + 1, w - 3, h - 3);
    }

    private static void drawText(Graphics2D g, Layout layout, float[] row, int special, float[] patches, int strongest,
                                 int rows, int cols, BufferedImage image, String title, int query) {
        if (title != null && !title.isEmpty()) {
            g.setFont(TITLE_FONT);
            g.setColor(TEXT);
            g.drawString(title, PAD, PAD + g.getFontMetrics().getAscent());
        }
        g.setFont(CAPTION_FONT);
        FontMetrics fm = g.getFontMetrics();
        double toPatches = 0;
        for (float p : patches) {
            toPatches += p;
        }
        int p = query - special;
        String who = p >= 0 && p < patches.length ? String.format(Locale.ROOT, "patch (%d,%d)", p / cols, p % cols) : "[CLS]";
        StringBuilder summary = new StringBuilder(percent(toPatches) + " of " + who + "'s attention on the " + patches.length
                + " patches, " + percent(row[0]) + (query == 0 ? " on itself" : " on [CLS]"));
        if (special > 1) {
            double others = 0;
            for (int i = 1; i < special; i++) {
                others += row[i];
            }
            summary.append(", ").append(percent(others)).append(" on [DIST]");
        }
        if (strongest >= 0) {
            summary.append(String.format(Locale.ROOT, "; strongest patch (%d,%d): %s", strongest / cols, strongest % cols,
                    Text.number(patches[strongest])));
        }
        g.setColor(TEXT);
        g.drawString(summary.toString(), PAD, layout.summaryBaseline());
        g.setColor(CAPTION);
        int headingY = layout.headingBaseline();
        String scale = layout.scale() >= 1 ? String.format(Locale.ROOT, "×%d", (int) Math.round(layout.scale()))
                : String.format(Locale.ROOT, "×%.2f", layout.scale());
        g.drawString(String.format(Locale.ROOT, "input %dx%d (%s)", image.getWidth(), image.getHeight(), scale),
                layout.imageX(), headingY);
        g.drawString(String.format(Locale.ROOT, "%s \u2192 patches, %d\u00D7%d grid", who, rows, cols), layout.overlayX(), headingY);
    }

    private static void drawLegend(Graphics2D g, Layout layout, float max) {
        int x = layout.legendX();
        int top = layout.panelY();
        int height = layout.panelHeight();
        int[] bar = new int[LEGEND_WIDTH * height]; // one image, not a rectangle per line, in SVG and PDF
        for (int line = 0; line < height; line++) {
            double fraction = height == 1 ? 1.0 : 1.0 - (double) line / (height - 1);
            Arrays.fill(bar, line * LEGEND_WIDTH, (line + 1) * LEGEND_WIDTH, ColorScale.argb(fraction));
        }
        g.drawImage(panel(bar, LEGEND_WIDTH, height), x, top, null);
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x - 1, top - 1, LEGEND_WIDTH + 1, height + 1);

        g.setFont(CAPTION_FONT);
        FontMetrics fm = g.getFontMetrics();
        int tickX = x + LEGEND_WIDTH + 1;
        int textX = tickX + 4 + GAP / 2;
        int half = (fm.getAscent() - fm.getDescent()) / 2;
        g.setColor(TEXT);
        g.drawLine(tickX, top, tickX + 4, top);
        g.drawString(Text.number(max), textX, top + Math.max(half, fm.getAscent() - 2));
        int bottom = top + height - 1;
        g.drawLine(tickX, bottom, tickX + 4, bottom);
        g.drawString("0", textX, bottom + half);
        // "attention", rotated, beside the bar
        String label = "attention";
        java.awt.geom.AffineTransform saved = g.getTransform();
        g.setColor(CAPTION);
        g.translate(textX + fm.stringWidth("0.000") + GAP + fm.getAscent(), top + (height + fm.stringWidth(label)) / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString(label, 0, 0);
        g.setTransform(saved);
        // a line under the panels saying what the colours mean
        g.setColor(CAPTION);
        g.drawString(String.format(Locale.ROOT, "viridis at %.0f%% opacity over the image in grey, 0 to the "
                + "strongest patch (outlined)", 100 * OVERLAY_ALPHA), layout.imageX(), top + height + GAP + fm.getAscent());
    }

    /** "12.3%", or "<0.1%" / ">99.9%" where rounding would say 0 or 100. */
    static String percent(double fraction) {
        if (fraction > 0 && fraction < 0.0005) {
            return "<0.1%";
        }
        if (fraction < 1 && fraction > 0.9995) {
            return ">99.9%";
        }
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static int argmax(float[] values) {
        int best = -1;
        for (int i = 0; i < values.length; i++) {
            if (Float.isFinite(values[i]) && (best < 0 || values[i] > values[best])) {
                best = i;
            }
        }
        return best;
    }

    private static void setHints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    }

    /**
     * Pixel positions in a rendered picture.
     *
     * @param scale       display pixels per image pixel
     * @param imageX      left edge of the plain image panel
     * @param overlayX    left edge of the overlay panel
     * @param panelY      top edge of both panels
     * @param panelWidth  width of each panel
     * @param panelHeight height of each panel
     * @param legendX     left edge of the colour bar (top at panelY, panelHeight high)
     */
    public record Layout(int width, int height, double scale, int imageX, int overlayX, int panelY, int panelWidth,
                         int panelHeight, int legendX, int rows, int cols, int summaryBaseline, int headingBaseline) {

        /** Left edge of patch column {@code c} within a panel (c = cols gives the panel's width). */
        public int cellLeft(int c) {
            return (int) Math.ceil((double) c * panelWidth / cols);
        }

        /** Top edge of patch row {@code r} within a panel. */
        public int cellTop(int r) {
            return (int) Math.ceil((double) r * panelHeight / rows);
        }

        /** Centre pixel of patch (r, c) in the overlay panel, as {x, y}. */
        public int[] overlayCentre(int r, int c) {
            return new int[] {overlayX + (cellLeft(c) + cellLeft(c + 1)) / 2, panelY + (cellTop(r) + cellTop(r + 1)) / 2};
        }
    }
}
