package headwise.viz.draw;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.font.FontRenderContext;
import java.awt.font.LineMetrics;
import java.awt.geom.AffineTransform;
import java.util.Locale;

/**
 * Measuring and placing text. Measures come from one fixed font render context (anti-aliased, fractional metrics),
 * never from the target Graphics2D, so a figure lays out identically for PNG, SVG and PDF.
 */
public final class Text {

    private static final FontRenderContext MEASURE = new FontRenderContext(null, true, true);

    private Text() {
    }

    public static double width(Font font, String text) {
        return text.isEmpty() ? 0 : font.getStringBounds(text, MEASURE).getWidth();
    }

    /** The widest of {@code texts}. */
    public static double widest(Font font, String... texts) {
        double widest = 0;
        for (String t : texts) {
            widest = Math.max(widest, width(font, t));
        }
        return widest;
    }

    public static double ascent(Font font) {
        return metrics(font).getAscent();
    }

    public static double descent(Font font) {
        return metrics(font).getDescent();
    }

    /** Line height: ascent + descent + leading. */
    public static double height(Font font) {
        return metrics(font).getHeight();
    }

    /** Baseline offset that centres a line of {@code font} on a y coordinate. */
    public static double centreShift(Font font) {
        return (ascent(font) - descent(font)) / 2;
    }

    private static LineMetrics metrics(Font font) {
        return font.getLineMetrics("Ag", MEASURE);
    }

    /** A block's heading at its top-left corner (x, y), in the heading font and text colour; returns the y below it. */
    public static double heading(Graphics2D g, String text, double x, double y) {
        g.setFont(Style.HEADING);
        g.setColor(Style.TEXT);
        left(g, text, x, y + ascent(Style.HEADING));
        return y + height(Style.HEADING);
    }

    public static void left(Graphics2D g, String text, double x, double baseline) {
        g.drawString(text, (float) x, (float) baseline);
    }

    public static void right(Graphics2D g, String text, double right, double baseline) {
        g.drawString(text, (float) (right - width(g.getFont(), text)), (float) baseline);
    }

    public static void centred(Graphics2D g, String text, double centre, double baseline) {
        g.drawString(text, (float) (centre - width(g.getFont(), text) / 2), (float) baseline);
    }

    /** Text reading upwards (rotated −90°), starting at ({@code baselineX}, {@code bottom}) and ending above it. */
    public static void upward(Graphics2D g, String text, double baselineX, double bottom) {
        AffineTransform saved = g.getTransform();
        g.translate(baselineX, bottom);
        g.rotate(-Math.PI / 2);
        g.drawString(text, 0f, 0f);
        g.setTransform(saved);
    }

    /** Upward text centred on {@code centreY}. */
    public static void upwardCentred(Graphics2D g, String text, double baselineX, double centreY) {
        upward(g, text, baselineX, centreY + width(g.getFont(), text) / 2);
    }

    /** A number for ticks and cells: 2 decimals from 0.1, else 2 significant digits; "0" for zero. */
    /** A number under the cursor (a tooltip): four significant digits. */
    public static String precise(double value) {
        if (Double.isNaN(value) || value == 0) {
            return number(value);
        }
        return String.format(Locale.ROOT, "%.4g", value);
    }

    /** A number for a label or legend: two decimals, or two significant digits below 0.1, three above 1000. */
    public static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (value == 0) {
            return "0";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1000) {
            return String.format(Locale.ROOT, "%.3g", value);
        }
        return magnitude >= 0.1 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.2g", value);
    }
}
