package headwise.viz.draw;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;

/**
 * The look every figure shares: fonts, colours, spacing and rendering hints. Fonts are Java's logical SansSerif
 * (DejaVu Sans on the CI machines): SVG writes it as {@code sans-serif}, PDF as Helvetica.
 */
public final class Style {

    public static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    public static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 12);
    public static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    public static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    public static final Color BACKGROUND = Color.WHITE;
    public static final Color TEXT = new Color(0x20, 0x20, 0x20);
    public static final Color CAPTION = new Color(0x70, 0x70, 0x70);
    public static final Color FRAME = new Color(0xB0, 0xB0, 0xB0);
    public static final Color GRID = new Color(0xE4, 0xE4, 0xE4);

    /** Okabe–Ito: categorical colours most colour-blind readers tell apart. */
    public static final Color[] CATEGORIES = {
        new Color(0xE6, 0x9F, 0x00), new Color(0x56, 0xB4, 0xE9), new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7),
        new Color(0xD5, 0x5E, 0x00), new Color(0x00, 0x72, 0xB2), new Color(0xF0, 0xE4, 0x42), new Color(0x00, 0x00, 0x00)};

    /** Margin around a figure. */
    public static final int PAD = 14;
    /** Space between a thing and its label. */
    public static final int GAP = 4;
    /** Space between panels. */
    public static final int PANEL_GAP = 28;

    private Style() {
    }

    /** Anti-aliased text and shapes, fractional metrics (the same as {@link Text} measures with). */
    public static void hints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        // cell images are drawn at their own size; when a PNG is written at scale 2 the cells must stay sharp
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    }

    /** Fills the figure's background. */
    public static void background(Graphics2D g, int width, int height) {
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
    }
}
