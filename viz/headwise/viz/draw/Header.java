package headwise.viz.draw;

import java.awt.Graphics2D;

/** A figure's title (bold) and one caption line under it, at the top-left margin. */
public record Header(String title, String caption) {

    /** Height from the figure's top edge to where the content starts (margin and trailing gap included). */
    public double height() {
        double h = Style.PAD;
        if (title != null && !title.isEmpty()) {
            h += Text.height(Style.TITLE) + Style.GAP;
        }
        if (caption != null && !caption.isEmpty()) {
            h += Text.height(Style.SMALL) + Style.GAP;
        }
        return h + Style.GAP;
    }

    /** Width the header needs, margins included. */
    public double width() {
        return 2 * Style.PAD + Math.max(title == null ? 0 : Text.width(Style.TITLE, title),
                caption == null ? 0 : Text.width(Style.SMALL, caption));
    }

    public void draw(Graphics2D g) {
        double y = Style.PAD;
        if (title != null && !title.isEmpty()) {
            g.setFont(Style.TITLE);
            g.setColor(Style.TEXT);
            Text.left(g, title, Style.PAD, y + Text.ascent(Style.TITLE));
            y += Text.height(Style.TITLE) + Style.GAP;
        }
        if (caption != null && !caption.isEmpty()) {
            g.setFont(Style.SMALL);
            g.setColor(Style.CAPTION);
            Text.left(g, caption, Style.PAD, y + Text.ascent(Style.SMALL));
        }
    }
}
