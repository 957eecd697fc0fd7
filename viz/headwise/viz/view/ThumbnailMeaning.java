package headwise.viz.view;

import java.awt.Graphics2D;

/**
 * What the model view's thumbnails show when they are not each head's T × T map (keys grouped by class: T × C), so
 * that {@link ModelViewFigure} keeps one layout, click and frame logic for both: the caption, each thumbnail point's
 * readout, a strip right of each layer's row and a legend under the grid.
 */
public interface ThumbnailMeaning {

    /** What a thumbnail's rows, columns and colour are (the header's caption after the model's shape). */
    String caption();

    /** The readout of point (fx, fy) of head (layer, head)'s thumbnail, each from 0 (left, top) to 1 (right, bottom). */
    String readout(int layer, int head, double fx, double fy);

    /** The width of the strip drawn right of every layer's row (0 for none). */
    double stripWidth();

    /** Draws layer {@code layer}'s strip in the box (x, y, w, h). */
    void drawStrip(Graphics2D g, int layer, double x, double y, double w, double h);

    /** The readout of point fx (0 left .. 1 right) of layer {@code layer}'s strip. */
    String stripReadout(int layer, double fx);

    double legendWidth();

    double legendHeight();

    /** Draws the legend with its top-left corner at (x, y). */
    void drawLegend(Graphics2D g, double x, double y);
}
