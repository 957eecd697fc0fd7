package headwise.viz;

import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;

/**
 * A picture that draws itself, at its own size, on any {@link Graphics2D}: a BufferedImage (PNG, the app's canvas),
 * JFreeSVG's SVGGraphics2D or JFreePDF's PDFGraphics2D, so every format shares one drawing. Units are pixels at
 * scale 1 and points (1/72 inch) in PDF. A figure's size and drawing depend only on its data (no clock, no
 * randomness, fonts measured independently of the target), so the same data gives the same file.
 */
public interface Figure {

    /** Width in figure units. */
    int width();

    /** Height in figure units. */
    int height();

    /** Draws the whole figure, background included, into [0, width) × [0, height) of {@code g}'s user space. */
    void draw(Graphics2D g);

    /**
     * What lies under figure point (x, y), as one line for a tooltip ("query 2 “is” → key 3 “all”: 0.5312"), or
     * null where there is nothing to read (margins, titles). Figures made of blocks ask their blocks.
     */
    default String readout(double x, double y) {
        return null;
    }

    /** Draws the figure scaled uniformly to fit a {@code width}×{@code height} area at the origin, centred. */
    default void drawFitted(Graphics2D g, double width, double height) {
        double scale = Math.min(width / width(), height / height());
        AffineTransform saved = g.getTransform();
        g.translate((width - width() * scale) / 2, (height - height() * scale) / 2);
        g.scale(scale, scale);
        draw(g);
        g.setTransform(saved);
    }
}
