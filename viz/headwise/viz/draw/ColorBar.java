package headwise.viz.draw;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/** A vertical colour legend: the scale as one image (top = highest), a frame, tick labels, and a caption beside it. */
public final class ColorBar {

    public static final int BAR_WIDTH = 14;
    private static final int TICK = 4;

    private ColorBar() {
    }

    /** Horizontal room the bar, its tick labels and its caption take. */
    public static double width(ValueScale scale, String caption) {
        double labels = 0;
        for (ValueScale.Tick t : scale.ticks()) {
            labels = Math.max(labels, Text.width(Style.SMALL, t.label()));
        }
        double captionRoom = caption == null || caption.isEmpty() ? 0 : Style.GAP + Text.height(Style.SMALL);
        return BAR_WIDTH + TICK + Style.GAP + labels + captionRoom;
    }

    public static void draw(Graphics2D g, ValueScale scale, double x, double top, double height, String caption) {
        int h = Math.max(2, (int) Math.round(height));
        BufferedImage bar = new BufferedImage(BAR_WIDTH, h, BufferedImage.TYPE_INT_ARGB);
        int[] line = new int[BAR_WIDTH];
        for (int y = 0; y < h; y++) {
            Arrays.fill(line, scale.argbAt(1.0 - (double) y / (h - 1)));
            bar.setRGB(0, y, BAR_WIDTH, 1, line, 0, BAR_WIDTH);
        }
        g.drawImage(bar, (int) Math.round(x), (int) Math.round(top), null);
        g.setStroke(new BasicStroke(1f));
        g.setColor(Style.FRAME);
        g.draw(new Rectangle2D.Double(Math.round(x) - 0.5, Math.round(top) - 0.5, BAR_WIDTH + 1, h + 1));

        g.setFont(Style.SMALL);
        double shift = Text.centreShift(Style.SMALL);
        double tickX = Math.round(x) + BAR_WIDTH + 0.5;
        double labelsRight = 0;
        for (ValueScale.Tick t : scale.ticks()) {
            double y = Math.round(top) + (1 - t.fraction()) * (h - 1) + 0.5;
            g.setColor(Style.TEXT);
            g.draw(new Line2D.Double(tickX, y, tickX + TICK, y));
            double baseline = Math.max(top + Text.ascent(Style.SMALL) - 2, Math.min(top + h + Text.descent(Style.SMALL), y + shift));
            Text.left(g, t.label(), tickX + TICK + Style.GAP, baseline);
            labelsRight = Math.max(labelsRight, Text.width(Style.SMALL, t.label()));
        }
        if (caption != null && !caption.isEmpty()) {
            g.setColor(Style.CAPTION);
            double captionX = tickX + TICK + Style.GAP + labelsRight + Style.GAP + Text.ascent(Style.SMALL);
            Text.upwardCentred(g, caption, captionX, top + h / 2.0);
        }
    }
}
