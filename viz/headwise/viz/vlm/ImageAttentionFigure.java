package headwise.viz.vlm;

import headwise.engine.vlm.analysis.VisualSinks.VisualSink;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.draw.Block;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.ColorBar;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;
import headwise.viz.draw.ValueScale;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * One query's attention to the image patches: the image as the model saw it and, beside it, the same image (in grey,
 * under a viridis overlay, 0 to the
 * largest patch weight) with the patch grid, the strongest patch outlined in white and the visual sink tokens
 * outlined in red and numbered by rank; the sinks are listed under the picture.
 */
public final class ImageAttentionFigure extends BlockFigure {

    /** Sinks listed under the picture (the rest are counted). */
    static final int LISTED = 8;
    static final Color SINK = new Color(0xE0, 0x20, 0x20);

    /**
     * @param image   the image the model saw (its patches tile it: cols × rows patches; another size is stretched)
     * @param grid    [rows][cols] the query's attention to each patch
     * @param sinks   visual sink tokens to mark (empty for none)
     * @param caption what the attention is ("'cat' (position 41) at layer 12, mean of heads")
     */
    public ImageAttentionFigure(String title, String caption, BufferedImage image, double[][] grid, List<VisualSink> sinks) {
        super(new Header(title, caption), new Panel(image, grid, List.copyOf(sinks)));
    }

    /** An image given as int ARGB pixels, row-major. */
    public static BufferedImage image(int[] argb, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        out.setRGB(0, 0, width, height, argb, 0, width);
        return out;
    }

    private static final class Panel implements Block {
        private static final double LEGEND_GAP = 14;

        private final double[][] grid;
        private final List<VisualSink> sinks;
        private final int rows;
        private final int cols;
        private final int pw;
        private final int ph;
        private final BufferedImage plain;
        private final BufferedImage picture;
        private final ValueScale scale;
        private final int strongest;

        Panel(BufferedImage image, double[][] grid, List<VisualSink> sinks) {
            this.grid = grid;
            this.sinks = sinks;
            this.rows = grid.length;
            this.cols = grid[0].length;
            double s = PatchAttentionOverlay.scaleFor(image.getWidth(), image.getHeight());
            this.pw = (int) Math.round(image.getWidth() * s);
            this.ph = (int) Math.round(image.getHeight() * s);
            float[] patches = new float[rows * cols];
            int best = 0;
            for (int n = 0; n < patches.length; n++) {
                patches[n] = (float) grid[n / cols][n % cols];
                best = patches[n] > patches[best] ? n : best;
            }
            this.strongest = best;
            float max = Math.max(patches[best], 1e-12f);
            int[] scaled = PatchAttentionOverlay.scaled(image, pw, ph);
            this.plain = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_ARGB);
            plain.setRGB(0, 0, pw, ph, scaled, 0, pw);
            int[] pixels = PatchAttentionOverlay.overlay(scaled, pw, ph, patches, rows, cols, max);
            this.picture = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_ARGB);
            picture.setRGB(0, 0, pw, ph, pixels, 0, pw);
            this.scale = ValueScale.linear(0, max);
        }

        private int listedLines() {
            return sinks.isEmpty() ? 1 : Math.min(sinks.size(), LISTED) + (sinks.size() > LISTED ? 1 : 0);
        }

        @Override
        public double width() {
            return Math.max(2 * pw + Style.PANEL_GAP + LEGEND_GAP + ColorBar.width(scale, "attention"), Text.width(Style.SMALL, line(0)) + 10);
        }

        @Override
        public double height() {
            return ph + 2 * Style.GAP + listedLines() * (Text.height(Style.SMALL) + 2);
        }

        @Override
        public void draw(Graphics2D g, double x, double y) {
            int top = (int) Math.round(y);
            g.drawImage(plain, (int) Math.round(x), top, null);
            g.setColor(Style.FRAME);
            g.draw(new Rectangle2D.Double(Math.round(x) - 0.5, top - 0.5, pw + 1, ph + 1));
            int left = (int) Math.round(x) + pw + Style.PANEL_GAP;
            g.drawImage(picture, left, top, null);
            g.setStroke(new BasicStroke(1f));
            g.setColor(new Color(255, 255, 255, 110));
            for (int r = 1; r < rows; r++) {
                double gy = top + (double) r * ph / rows;
                g.draw(new Line2D.Double(left, gy, left + pw, gy));
            }
            for (int c = 1; c < cols; c++) {
                double gx = left + (double) c * pw / cols;
                g.draw(new Line2D.Double(gx, top, gx, top + ph));
            }
            g.setStroke(new BasicStroke(2f));
            g.setColor(Color.WHITE);
            g.draw(cell(left, top, strongest / cols, strongest % cols, 1));
            g.setFont(Style.SMALL);
            for (int k = 0; k < sinks.size(); k++) {
                VisualSink s = sinks.get(k);
                if (!s.onGrid()) {
                    continue; // the tower's CLS has no patch to frame; the list names it
                }
                Rectangle2D box = cell(left, top, s.row(), s.col(), 2.5);
                g.setColor(SINK);
                g.draw(box);
                if (k < LISTED) {
                    String label = Integer.toString(k + 1);
                    double w = Text.width(Style.SMALL, label) + 4;
                    double h = Text.height(Style.SMALL);
                    // inside a large patch; above (or below, on the top row) a small one, so its colour stays visible
                    boolean inside = box.getHeight() >= 2.5 * h;
                    double ly = inside ? box.getY() : box.getY() - h >= top ? box.getY() - h - 1 : box.getMaxY() + 1;
                    Rectangle2D tag = new Rectangle2D.Double(box.getX(), ly, w, h);
                    g.fill(tag);
                    g.setColor(Color.WHITE);
                    Text.left(g, label, tag.getX() + 2, tag.getY() + Text.ascent(Style.SMALL));
                }
            }
            g.setStroke(new BasicStroke(1f));
            g.setColor(Style.FRAME);
            g.draw(new Rectangle2D.Double(left - 0.5, top - 0.5, pw + 1, ph + 1));
            ColorBar.draw(g, scale, left + pw + LEGEND_GAP, top, ph, "attention");
            double ly = top + ph + 2 * Style.GAP;
            left = (int) Math.round(x);
            for (int n = 0; n < listedLines(); n++) {
                g.setColor(n == 0 && sinks.isEmpty() ? Style.CAPTION : Style.TEXT);
                Text.left(g, line(n), left, ly + Text.ascent(Style.SMALL));
                ly += Text.height(Style.SMALL) + 2;
            }
        }

        /** The rectangle of patch (r, c), inset by {@code inset}. */
        private Rectangle2D cell(int left, int top, int r, int c, double inset) {
            double x0 = left + (double) c * pw / cols;
            double y0 = top + (double) r * ph / rows;
            return new Rectangle2D.Double(x0 + inset, y0 + inset, (double) pw / cols - 2 * inset, (double) ph / rows - 2 * inset);
        }

        private String line(int n) {
            if (sinks.isEmpty()) {
                return String.format(Locale.ROOT, "no visual sink tokens; strongest patch (%d,%d): %s",
                        strongest / cols, strongest % cols, Text.number(grid[strongest / cols][strongest % cols]));
            }
            if (n >= LISTED) {
                return "\u2026 and " + (sinks.size() - LISTED) + " more visual sinks";
            }
            VisualSink s = sinks.get(n);
            if (!s.onGrid()) {
                return String.format(Locale.ROOT, "sink %d: image token off the grid (the tower's CLS), position %d, \u03C6 %s in %d layer%s",
                        n + 1, s.position(), Text.number(s.score()), s.layers(), s.layers() == 1 ? "" : "s");
            }
            return String.format(Locale.ROOT, "sink %d: patch (%d,%d), position %d, \u03C6 %s in %d layer%s; attention %s",
                    n + 1, s.row(), s.col(), s.position(), Text.number(s.score()), s.layers(), s.layers() == 1 ? "" : "s",
                    Text.number(grid[s.row()][s.col()]));
        }
    }
}
