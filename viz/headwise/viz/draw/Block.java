package headwise.viz.draw;

import java.awt.Graphics2D;

/** A rectangular part of a figure (a panel with its heading and legend) that draws itself at a given corner. */
public interface Block {

    double width();

    double height();

    /** What lies under (x, y), measured from the block's top-left corner, or null ({@link headwise.viz.Figure#readout}). */
    default String readout(double x, double y) {
        return null;
    }

    /** Draws with the top-left corner at (x, y). */
    void draw(Graphics2D g, double x, double y);
}
