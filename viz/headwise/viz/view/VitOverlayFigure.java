package headwise.viz.view;

import headwise.viz.Figure;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.draw.Text;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** {@link PatchAttentionOverlay} as a figure: where a ViT's CLS token looks, over the image the model saw. */
public final class VitOverlayFigure implements Figure {

    private final BufferedImage image;
    private final float[] row;
    private final int special;
    private final int rows;
    private final int cols;
    private final String title;
    private final int query;
    private final PatchAttentionOverlay.Layout layout;

    /** Arguments as {@link PatchAttentionOverlay#render}. */
    public VitOverlayFigure(BufferedImage image, float[] row, int special, int rows, int cols, String title) {
        this(image, row, special, rows, cols, title, 0);
    }

    /** The row of query token {@code query} (0: [CLS]; a patch's token from {@code special} on), named in the captions. */
    public VitOverlayFigure(BufferedImage image, float[] row, int special, int rows, int cols, String title, int query) {
        this.image = image;
        this.row = row.clone();
        this.special = special;
        this.rows = rows;
        this.cols = cols;
        this.title = title;
        this.query = query;
        this.layout = PatchAttentionOverlay.layout(image.getWidth(), image.getHeight(), rows, cols, title);
    }

    @Override
    public int width() {
        return layout.width();
    }

    @Override
    public int height() {
        return layout.height();
    }

    /** The patch (row-major index) under (x, y) in the image or the overlay panel, or −1. */
    public int patchAt(double x, double y) {
        double dy = y - layout.panelY();
        for (int left : new int[] {layout.imageX(), layout.overlayX()}) {
            double dx = x - left;
            if (dx >= 0 && dy >= 0 && dx < layout.panelWidth() && dy < layout.panelHeight()) {
                return (int) (dy * rows / layout.panelHeight()) * cols + (int) (dx * cols / layout.panelWidth());
            }
        }
        return -1;
    }

    /** "patch (2, 7): 0.0123", the attention the query gives the patch under the cursor. */
    @Override
    public String readout(double x, double y) {
        int patch = patchAt(x, y);
        return patch < 0 ? null : "patch (" + patch / cols + ", " + patch % cols + "): " + Text.precise(row[special + patch]);
    }

    @Override
    public void draw(Graphics2D g) {
        PatchAttentionOverlay.draw(g, image, row, special, rows, cols, title, query);
    }
}
