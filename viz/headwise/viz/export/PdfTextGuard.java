package headwise.viz.export;

import org.jfree.pdf.PDFHints;

import java.awt.Color;
import java.awt.Composite;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GraphicsConfiguration;
import java.awt.Image;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.BufferedImageOp;
import java.awt.image.ImageObserver;
import java.awt.image.RenderedImage;
import java.awt.image.renderable.RenderableImage;
import java.text.AttributedCharacterIterator;
import java.util.Map;

/**
 * Passes everything to JFreePDF's PDFGraphics2D, except that a string its standard fonts cannot show is drawn as
 * glyph outlines. JFreePDF writes text with the base-14 fonts, which hold printable ASCII only (other characters
 * become '?', and unbalanced parentheses or backslashes would break the content stream). Plain ASCII stays text,
 * selectable and searchable; a token such as "Ġthe" or "→" is drawn as shapes, looking the same. Covers every
 * caller, JFreeChart included.
 */
final class PdfTextGuard extends Graphics2D {

    private final Graphics2D pdf;

    PdfTextGuard(Graphics2D pdf) {
        this.pdf = pdf;
    }

    /** Whether the base-14 fonts show {@code text} as it is: printable ASCII without ( ) or \. */
    static boolean isPlainText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '(' || c == ')' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private void drawText(String text, float x, float y) {
        if (isPlainText(text)) {
            pdf.drawString(text, x, y);
            return;
        }
        Object saved = pdf.getRenderingHint(PDFHints.KEY_DRAW_STRING_TYPE);
        pdf.setRenderingHint(PDFHints.KEY_DRAW_STRING_TYPE, PDFHints.VALUE_DRAW_STRING_TYPE_VECTOR);
        pdf.drawString(text, x, y);
        pdf.setRenderingHint(PDFHints.KEY_DRAW_STRING_TYPE, saved == null ? PDFHints.VALUE_DRAW_STRING_TYPE_STANDARD : saved);
    }

    @Override public void drawString(String str, int x, int y) { drawText(str, x, y); }
    @Override public void drawString(String str, float x, float y) { drawText(str, x, y); }
    @Override public void drawString(AttributedCharacterIterator it, int x, int y) { drawString(it, (float) x, (float) y); }

    @Override
    public void drawString(AttributedCharacterIterator it, float x, float y) {
        // attributes are dropped, as JFreePDF itself does for standard text
        StringBuilder s = new StringBuilder();
        for (char c = it.first(); c != AttributedCharacterIterator.DONE; c = it.next()) {
            s.append(c);
        }
        drawText(s.toString(), x, y);
    }

    @Override public Graphics create() { return new PdfTextGuard((Graphics2D) pdf.create()); }
    @Override public void draw(Shape s) { pdf.draw(s); }
    @Override public boolean drawImage(Image img, AffineTransform xform, ImageObserver obs) { return pdf.drawImage(img, xform, obs); }
    @Override public void drawImage(BufferedImage img, BufferedImageOp op, int x, int y) { pdf.drawImage(img, op, x, y); }
    @Override public void drawRenderedImage(RenderedImage img, AffineTransform xform) { pdf.drawRenderedImage(img, xform); }
    @Override public void drawRenderableImage(RenderableImage img, AffineTransform xform) { pdf.drawRenderableImage(img, xform); }
    @Override public void drawGlyphVector(GlyphVector g, float x, float y) { pdf.drawGlyphVector(g, x, y); }
    @Override public void fill(Shape s) { pdf.fill(s); }
    @Override public boolean hit(Rectangle rect, Shape s, boolean onStroke) { return pdf.hit(rect, s, onStroke); }
    @Override public GraphicsConfiguration getDeviceConfiguration() { return pdf.getDeviceConfiguration(); }
    @Override public void setComposite(Composite comp) { pdf.setComposite(comp); }
    @Override public void setPaint(Paint paint) { pdf.setPaint(paint); }
    @Override public void setStroke(Stroke s) { pdf.setStroke(s); }
    @Override public void setRenderingHint(RenderingHints.Key key, Object value) { pdf.setRenderingHint(key, value); }
    @Override public Object getRenderingHint(RenderingHints.Key key) { return pdf.getRenderingHint(key); }
    @Override public void setRenderingHints(Map<?, ?> hints) { pdf.setRenderingHints(hints); }
    @Override public void addRenderingHints(Map<?, ?> hints) { pdf.addRenderingHints(hints); }
    @Override public RenderingHints getRenderingHints() { return pdf.getRenderingHints(); }
    @Override public void translate(int x, int y) { pdf.translate(x, y); }
    @Override public void translate(double tx, double ty) { pdf.translate(tx, ty); }
    @Override public void rotate(double theta) { pdf.rotate(theta); }
    @Override public void rotate(double theta, double x, double y) { pdf.rotate(theta, x, y); }
    @Override public void scale(double sx, double sy) { pdf.scale(sx, sy); }
    @Override public void shear(double shx, double shy) { pdf.shear(shx, shy); }
    @Override public void transform(AffineTransform tx) { pdf.transform(tx); }
    @Override public void setTransform(AffineTransform tx) { pdf.setTransform(tx); }
    @Override public AffineTransform getTransform() { return pdf.getTransform(); }
    @Override public Paint getPaint() { return pdf.getPaint(); }
    @Override public Composite getComposite() { return pdf.getComposite(); }
    @Override public void setBackground(Color color) { pdf.setBackground(color); }
    @Override public Color getBackground() { return pdf.getBackground(); }
    @Override public Stroke getStroke() { return pdf.getStroke(); }
    @Override public void clip(Shape s) { pdf.clip(s); }
    @Override public FontRenderContext getFontRenderContext() { return pdf.getFontRenderContext(); }
    @Override public Color getColor() { return pdf.getColor(); }
    @Override public void setColor(Color c) { pdf.setColor(c); }
    @Override public void setPaintMode() { pdf.setPaintMode(); }
    @Override public void setXORMode(Color c1) { pdf.setXORMode(c1); }
    @Override public Font getFont() { return pdf.getFont(); }
    @Override public void setFont(Font font) { pdf.setFont(font); }
    @Override public FontMetrics getFontMetrics(Font f) { return pdf.getFontMetrics(f); }
    @Override public Rectangle getClipBounds() { return pdf.getClipBounds(); }
    @Override public void clipRect(int x, int y, int width, int height) { pdf.clipRect(x, y, width, height); }
    @Override public void setClip(int x, int y, int width, int height) { pdf.setClip(x, y, width, height); }
    @Override public Shape getClip() { return pdf.getClip(); }
    @Override public void setClip(Shape clip) { pdf.setClip(clip); }
    @Override public void copyArea(int x, int y, int width, int height, int dx, int dy) { pdf.copyArea(x, y, width, height, dx, dy); }
    @Override public void drawLine(int x1, int y1, int x2, int y2) { pdf.drawLine(x1, y1, x2, y2); }
    @Override public void fillRect(int x, int y, int width, int height) { pdf.fillRect(x, y, width, height); }
    @Override public void clearRect(int x, int y, int width, int height) { pdf.clearRect(x, y, width, height); }
    @Override public void drawRoundRect(int x, int y, int w, int h, int aw, int ah) { pdf.drawRoundRect(x, y, w, h, aw, ah); }
    @Override public void fillRoundRect(int x, int y, int w, int h, int aw, int ah) { pdf.fillRoundRect(x, y, w, h, aw, ah); }
    @Override public void drawOval(int x, int y, int width, int height) { pdf.drawOval(x, y, width, height); }
    @Override public void fillOval(int x, int y, int width, int height) { pdf.fillOval(x, y, width, height); }
    @Override public void drawArc(int x, int y, int w, int h, int start, int arc) { pdf.drawArc(x, y, w, h, start, arc); }
    @Override public void fillArc(int x, int y, int w, int h, int start, int arc) { pdf.fillArc(x, y, w, h, start, arc); }
    @Override public void drawPolyline(int[] xs, int[] ys, int n) { pdf.drawPolyline(xs, ys, n); }
    @Override public void drawPolygon(int[] xs, int[] ys, int n) { pdf.drawPolygon(xs, ys, n); }
    @Override public void fillPolygon(int[] xs, int[] ys, int n) { pdf.fillPolygon(xs, ys, n); }
    @Override public boolean drawImage(Image img, int x, int y, ImageObserver o) { return pdf.drawImage(img, x, y, o); }
    @Override public boolean drawImage(Image img, int x, int y, int w, int h, ImageObserver o) { return pdf.drawImage(img, x, y, w, h, o); }
    @Override public boolean drawImage(Image img, int x, int y, Color bg, ImageObserver o) { return pdf.drawImage(img, x, y, bg, o); }
    @Override public boolean drawImage(Image img, int x, int y, int w, int h, Color bg, ImageObserver o) { return pdf.drawImage(img, x, y, w, h, bg, o); }

    @Override
    public boolean drawImage(Image img, int dx1, int dy1, int dx2, int dy2, int sx1, int sy1, int sx2, int sy2, ImageObserver o) {
        return pdf.drawImage(img, dx1, dy1, dx2, dy2, sx1, sy1, sx2, sy2, o);
    }

    @Override
    public boolean drawImage(Image img, int dx1, int dy1, int dx2, int dy2, int sx1, int sy1, int sx2, int sy2, Color bg,
                             ImageObserver o) {
        return pdf.drawImage(img, dx1, dy1, dx2, dy2, sx1, sy1, sx2, sy2, bg, o);
    }

    @Override public void dispose() { pdf.dispose(); }
}
