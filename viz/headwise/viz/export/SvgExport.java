package headwise.viz.export;

import headwise.viz.Figure;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * SVG through JFreeSVG: text stays {@code <text>}, lines and shapes stay vector, cell matrices are embedded PNG
 * images. Deterministic: JFreeSVG's time-based id prefix is replaced by a fixed one, numbers are written with a
 * fixed precision, and no DOCTYPE (parsers would fetch the DTD).
 */
public final class SvgExport {

    static final String ID_PREFIX = "hw";

    private SvgExport() {
    }

    public static String svg(Figure figure) {
        SVGGraphics2D g = new SVGGraphics2D(figure.width(), figure.height());
        g.setDefsKeyPrefix(ID_PREFIX);
        g.setGeomDoubleConverter(d -> fixed(d, 2));
        g.setTransformDoubleConverter(d -> fixed(d, 6));
        figure.draw(g);
        String element = g.getSVGElement(null, true, new ViewBox(0, 0, figure.width(), figure.height()), null, null);
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element + "\n";
    }

    public static byte[] bytes(Figure figure) {
        return svg(figure).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code value} with at most {@code decimals} decimals, trailing zeros dropped, never "-0". */
    static String fixed(double value, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", value);
        if (s.indexOf('.') >= 0) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s.equals("-0") ? "0" : s;
    }
}
