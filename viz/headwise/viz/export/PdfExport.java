package headwise.viz.export;

import headwise.viz.Figure;
import org.jfree.pdf.PDFDocument;
import org.jfree.pdf.Page;

import java.awt.Rectangle;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PDF through JFreePDF: one page exactly the figure's size (1 figure unit = 1 point), text as text in Helvetica
 * (strings outside printable ASCII as outlines, see {@link PdfTextGuard}), cell matrices as embedded images.
 * JFreePDF stamps /CreationDate and /ModDate with the clock; both are replaced by {@link #FIXED_DATE} (same length,
 * so the cross-reference offsets stay right) to make the bytes depend only on the figure.
 */
public final class PdfExport {

    /** 2000-01-01 00:00 UTC, written in place of the creation and modification times. */
    static final String FIXED_DATE_DIGITS = "20000101000000";
    private static final Pattern DATE = Pattern.compile("/(CreationDate|ModDate) \\(D:(\\d{14})([^)]*)\\)");

    private PdfExport() {
    }

    public static byte[] bytes(Figure figure) {
        return bytes(figure, null);
    }

    /** @param title the document title (Info dictionary), or null for none */
    public static byte[] bytes(Figure figure, String title) {
        PDFDocument document = new PDFDocument();
        if (title != null && PdfTextGuard.isPlainText(title)) {
            document.setTitle(title);
        }
        Page page = document.createPage(new Rectangle(0, 0, figure.width(), figure.height()));
        figure.draw(new PdfTextGuard(page.getGraphics2D()));
        return withFixedDates(document.getPDFBytes());
    }

    /** The PDF with every date of its Info dictionary replaced by a fixed one of the same length. */
    static byte[] withFixedDates(byte[] pdf) {
        String text = new String(pdf, StandardCharsets.ISO_8859_1);
        Matcher m = DATE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String zone = m.group(3).replaceAll("[0-9]", "0").replaceAll("[-Z]", "+");
            m.appendReplacement(out, Matcher.quoteReplacement("/" + m.group(1) + " (D:" + FIXED_DATE_DIGITS + zone + ")"));
        }
        m.appendTail(out);
        byte[] fixed = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (fixed.length != pdf.length) {
            throw new IllegalStateException("fixing the PDF dates changed its length");
        }
        return fixed;
    }
}
