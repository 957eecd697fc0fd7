package headwise.viz.view;

import headwise.viz.DivergingColorScale;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.draw.Block;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/**
 * The image with each patch tinted by its signed relevance (diverging scale, each map to its own largest |value| over
 * the patches).
 */
final class RelevancePatches implements Block {

    private static final double SIDE = 256;
    private static final float ALPHA = 0.55f;

    private final String heading;
    private final RelevanceFigure.Image image;
    private final double[] values;
    private final double scale;
    private final double imageScale;

    RelevancePatches(String heading, RelevanceFigure.Image image, double[] values) {
        this.heading = heading;
        this.image = image;
        this.values = values;
        double patchMax = 0;
        for (int t = image.special(); t < image.special() + image.rows() * image.cols(); t++) { // the grid's only
            patchMax = Math.max(patchMax, Math.abs(values[t]));
        }
        this.scale = patchMax > 0 ? patchMax : 1;
        this.imageScale = SIDE / Math.max(image.image().getWidth(), image.image().getHeight());
    }

    @Override
    public double width() {
        return Math.max(Text.width(Style.HEADING, heading), image.image().getWidth() * imageScale);
    }

    @Override
    public double height() {
        return Text.height(Style.HEADING) + Style.GAP + image.image().getHeight() * imageScale;
    }

    /** "token 11 patch (1, 2): relevance +0.4120" of the patch under (x, y), or null off the image. */
    @Override
    public String readout(double x, double y) {
        double top = Text.height(Style.HEADING) + Style.GAP;
        double w = Math.round(image.image().getWidth() * imageScale);
        double h = Math.round(image.image().getHeight() * imageScale);
        if (x < 0 || y < top || x >= w || y >= top + h) {
            return null;
        }
        int r = (int) ((y - top) / h * image.rows());
        int c = (int) (x / w * image.cols());
        int t = image.special() + r * image.cols() + c;
        return RelevanceFigure.describe(t, "patch (" + r + ", " + c + ")", values[t]);
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        g.setFont(Style.HEADING);
        g.setColor(Style.TEXT);
        Text.left(g, heading + " (patches)", x, y + Text.ascent(Style.HEADING));
        double top = y + Text.height(Style.HEADING) + Style.GAP;
        int w = (int) Math.round(image.image().getWidth() * imageScale);
        int h = (int) Math.round(image.image().getHeight() * imageScale);
        int[] pixels = PatchAttentionOverlay.scaled(image.image(), w, h);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = PatchAttentionOverlay.grey(pixels[i]);
        }
        java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        grey.setRGB(0, 0, w, h, pixels, 0, w);
        g.drawImage(grey, (int) Math.round(x), (int) Math.round(top), null);
        double cellW = (double) w / image.cols();
        double cellH = (double) h / image.rows();
        for (int r = 0; r < image.rows(); r++) {
            for (int c = 0; c < image.cols(); c++) {
                double v = values[image.special() + r * image.cols() + c] / scale;
                int argb = DivergingColorScale.argb(0.5 + 0.5 * v);
                g.setColor(new Color(argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF, Math.round(ALPHA * 255)));
                g.fill(new Rectangle2D.Double(x + c * cellW, top + r * cellH, cellW, cellH));
            }
        }
    }
}
