package headwise.viz.view;

import headwise.viz.ColorScale;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.draw.Block;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * The Salient Relevance map (0 … 1, viridis) upsampled bilinearly from the patch grid over the image in grey: the
 * regions, not single patches, a map's relevance stands out in.
 */
final class SalientRelevancePanel implements Block {

    private static final double SIDE = 256;

    private final String heading;
    private final RelevanceFigure.Image image;
    private final double[] salient;
    private final int width;
    private final int height;

    SalientRelevancePanel(String heading, RelevanceFigure.Image image, double[] salient) {
        this.heading = heading;
        this.image = image;
        this.salient = salient;
        double scale = SIDE / Math.max(image.image().getWidth(), image.image().getHeight());
        this.width = (int) Math.round(image.image().getWidth() * scale);
        this.height = (int) Math.round(image.image().getHeight() * scale);
    }

    @Override
    public double width() {
        return Math.max(Text.width(Style.HEADING, heading), width);
    }

    @Override
    public double height() {
        return Text.height(Style.HEADING) + Style.GAP + height;
    }

    @Override
    public void draw(Graphics2D g, double x, double y) {
        g.setFont(Style.HEADING);
        g.setColor(Style.TEXT);
        Text.left(g, heading, x, y + Text.ascent(Style.HEADING));
        int[] pixels = PatchAttentionOverlay.scaled(image.image(), width, height);
        for (int py = 0; py < height; py++) {
            for (int px = 0; px < width; px++) {
                double v = bilinear((px + 0.5) * image.cols() / width - 0.5, (py + 0.5) * image.rows() / height - 0.5);
                int i = py * width + px;
                pixels[i] = PatchAttentionOverlay.blend(PatchAttentionOverlay.grey(pixels[i]), ColorScale.argb(v),
                        PatchAttentionOverlay.OVERLAY_ALPHA);
            }
        }
        BufferedImage panel = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        panel.setRGB(0, 0, width, height, pixels, 0, width);
        g.drawImage(panel, (int) Math.round(x), (int) Math.round(y + Text.height(Style.HEADING) + Style.GAP), null);
    }

    /** The grid's value at fractional patch coordinates (patch centres at integers), clamped at the edges. */
    private double bilinear(double col, double row) {
        int rows = image.rows();
        int cols = image.cols();
        double c = Math.max(0, Math.min(cols - 1, col));
        double r = Math.max(0, Math.min(rows - 1, row));
        int c0 = (int) Math.floor(c);
        int r0 = (int) Math.floor(r);
        int c1 = Math.min(cols - 1, c0 + 1);
        int r1 = Math.min(rows - 1, r0 + 1);
        double fc = c - c0;
        double fr = r - r0;
        double top = salient[r0 * cols + c0] * (1 - fc) + salient[r0 * cols + c1] * fc;
        double bottom = salient[r1 * cols + c0] * (1 - fc) + salient[r1 * cols + c1] * fc;
        return top * (1 - fr) + bottom * fr;
    }
}
