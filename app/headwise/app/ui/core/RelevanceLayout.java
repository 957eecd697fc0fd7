package headwise.app.ui.core;

import headwise.app.ui.page.FigureView;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.geometry.Orientation;
import javafx.scene.layout.Pane;

/**
 * The Relevance page's two figures, laid out for the room the page has (inside a scroll pane that fits its width):
 * the maps and the faithfulness chart side by side when both fit at their own size or larger, else one under the
 * other; each scaled to fill the width, but together no taller than the visible height when they fit there at
 * their own size (else the page scrolls down). Figures are scaled between {@link #MIN_SCALE} and {@link #MAX_SCALE}.
 */
final class RelevanceLayout extends Pane {

    static final double MAX_SCALE = 2.5;
    static final double MIN_SCALE = 0.5;
    private static final double GAP = 12;

    private final FigureView maps;
    private final FigureView curves;
    private final DoubleProperty visibleHeight = new SimpleDoubleProperty();

    RelevanceLayout(FigureView maps, FigureView curves) {
        this.maps = maps;
        this.curves = curves;
        getChildren().addAll(maps, curves);
        visibleHeight.addListener((o, was, now) -> requestLayout());
    }

    /** The height of the scroll pane's viewport: what "fits the page" means vertically. */
    DoubleProperty visibleHeightProperty() {
        return visibleHeight;
    }

    @Override
    public Orientation getContentBias() {
        return Orientation.HORIZONTAL; // the height follows from the width the scroll pane gives
    }

    @Override
    protected double computePrefHeight(double width) {
        return arrange(width > 0 ? width : getWidth(), false);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 0; // fills whatever width the scroll pane gives; never asks for more
    }

    @Override
    protected void layoutChildren() {
        arrange(getWidth(), true);
    }

    /** Places (when {@code place}) the shown figures; returns the height they take. */
    private double arrange(double width, boolean place) {
        boolean showMaps = shown(maps);
        boolean showCurves = shown(curves);
        double room = Math.max(1, visibleHeight.get());
        if (showMaps && showCurves && fw(maps) + fw(curves) + GAP <= width) {
            double s = scale((width - GAP) / (fw(maps) + fw(curves)), room / Math.max(fh(maps), fh(curves)));
            if (place) {
                put(maps, 0, 0, s);
                put(curves, fw(maps) * s + GAP, 0, s);
            }
            return Math.max(fh(maps), fh(curves)) * s;
        }
        // one under the other: both within the visible height when they fit there at their own size together
        double together = (showMaps ? fh(maps) : 0) + (showCurves ? fh(curves) : 0) + (showMaps && showCurves ? GAP : 0);
        double y = 0;
        for (FigureView view : new FigureView[] {maps, curves}) {
            if (shown(view)) {
                double s = scale(width / fw(view), room / Math.max(1, together));
                if (place) {
                    put(view, 0, y, s);
                }
                y += fh(view) * s + GAP;
            }
        }
        return Math.max(0, y - GAP);
    }

    /**
     * Fill the width; a figure that fits the visible height at its own size stays within it (all of it in view), one
     * taller than that fills the width and the page scrolls down.
     */
    static double scale(double byWidth, double byHeight) {
        double s = byHeight >= 1 ? Math.min(byWidth, byHeight) : byWidth;
        return Math.max(MIN_SCALE, Math.min(MAX_SCALE, s));
    }

    private static void put(FigureView view, double x, double y, double s) {
        view.resizeRelocate(x, y, fw(view) * s, fh(view) * s);
    }

    private static boolean shown(FigureView view) {
        return view.isVisible() && view.figure() != null;
    }

    private static double fw(FigureView view) {
        return view.figure().width();
    }

    private static double fh(FigureView view) {
        return view.figure().height();
    }
}
