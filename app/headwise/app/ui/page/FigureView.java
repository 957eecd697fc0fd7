package headwise.app.ui.page;

import headwise.app.ui.widget.CursorReadout;
import headwise.viz.Figure;
import headwise.viz.export.PngExport;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.scene.transform.Scale;
import javafx.util.Duration;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.function.BiConsumer;

/**
 * A viz {@link Figure} shown as one image (rendered through the same ARGB path as PNG export, so the page shows
 * exactly what "Export…" writes), with highlight marks drawn as light JavaFX shapes over it: hovering changes only
 * the marks, never re-renders the figure. Marks and mouse points are in figure units whatever the size shown.
 * <p>
 * A view made {@link #fitting} fills whatever room its parent gives it: the figure is scaled uniformly to the
 * area (at once, by a transform), then rendered again at that scale once the size has settled, so it stays sharp.
 * Otherwise it keeps the figure's own size (scale 1).
 * <p>
 * Every figure shown here has a tooltip with what lies under the cursor ({@link Figure#readout}): the one place the
 * pages' figures get their value readouts. The figure keeps its white paper (what the exports show); around it is
 * the page's background, so on the dark theme only the figure itself is light.
 */
public final class FigureView extends Pane {

    private static final Color MARK = Color.web("#D55E00");
    /** Fitting never enlarges a figure more than this (a 6×6 heatmap need not fill a 4K screen). */
    static final double MAX_SCALE = 3;
    /** Nor shrinks it below this: smaller than that the text is unreadable, and the parent scrolls instead. */
    static final double MIN_SCALE = 0.5;

    private final ImageView image = new ImageView();
    private final Pane marks = new Pane();
    private final Pane content = new Pane(image, marks);
    private final Scale scale = new Scale(1, 1, 0, 0);
    private final PauseTransition settle = new PauseTransition(Duration.millis(150));
    private final CursorReadout readout = new CursorReadout(image);
    private final javafx.beans.binding.DoubleBinding windowScale = javafx.beans.binding.Bindings.selectDouble(sceneProperty(), "window", "renderScaleX");
    private final boolean fitting;
    /** Fitting, but never smaller than {@link #MIN_SCALE}: its minimum size says so, and a ScrollPane parent scrolls. */
    private boolean scrollsBelowMinScale;
    private Figure figure;
    private double renderedScale = 1;
    /** The window's render scale (2 at 200%) the image was last rendered for. */
    private double renderedScreen = 1;
    /** Counts sharp renders asked for: only the newest is shown. */
    private long sharpRequests;

    /** A view of the figure's own size. */
    public FigureView() {
        this(false);
    }

    private FigureView(boolean fitting) {
        this.fitting = fitting;
        marks.setMouseTransparent(true);
        content.getTransforms().add(scale);
        content.setManaged(false);
        getChildren().add(content);
        getStyleClass().add("hw-figure");
        content.getStyleClass().add("hw-paper");
        settle.setOnFinished(e -> renderSharp());
        // a move to a screen of another scale (200%) renders the figure again for it
        windowScale.addListener((o, was, now) -> {
            requestLayout();
            settle.playFromStart();
        });
        readout.tooltip().setId("figure-readout");
        readout.tooltip().setShowDelay(Duration.millis(150));
        readout.tooltip().setHideDelay(Duration.millis(100));
        image.addEventHandler(MouseEvent.MOUSE_MOVED, e -> updateReadout(e.getX(), e.getY()));
        image.addEventHandler(MouseEvent.MOUSE_EXITED, e -> readout.tooltip().hide());
    }

    /** A view that fills the room its parent gives it (see the class comment). */
    public static FigureView fitting() {
        return new FigureView(true);
    }

    /**
     * A fitting view whose minimum size is the figure at {@link #MIN_SCALE}, for a ScrollPane (fit to its width and
     * height) to scroll when the figure cannot shrink that far, instead of spilling over its neighbours.
     */
    public static FigureView fittingOrScrolling() {
        FigureView v = new FigureView(true);
        v.scrollsBelowMinScale = true;
        return v;
    }

    /** Renders {@code f} (FX thread) and clears the marks. */
    public void show(Figure f) {
        show(f, PngExport.render(f, 1));
    }

    /** Shows {@code f} as already rendered at scale 1 (e.g. on another thread) and clears the marks. */
    public void show(Figure f, BufferedImage rendered) {
        figure = f;
        sharpRequests++; // a sharp render of the figure shown before is not wanted any more
        renderedScale = 1;
        renderedScreen = 1;
        setImage(rendered);
        marks.getChildren().clear();
        setPrefSize(f.width(), f.height());
        if (fitting) {
            setMinSize(scrollsBelowMinScale ? f.width() * MIN_SCALE : Math.min(f.width(), 120),
                    scrollsBelowMinScale ? f.height() * MIN_SCALE : Math.min(f.height(), 90));
            setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        } else {
            setMinSize(f.width(), f.height());
            setMaxSize(f.width(), f.height());
        }
        requestLayout();
    }

    /** The scale the figure is shown at now (1 unless fitting). */
    public double shownScale() {
        return scale.getX();
    }

    @Override
    protected void layoutChildren() {
        if (figure == null) {
            return;
        }
        double s = fitting ? fitScale(getWidth(), getHeight(), figure.width(), figure.height()) : 1;
        scale.setX(s);
        scale.setY(s);
        // centred in the room given (a figure wider than tall leaves room below, and the other way round)
        content.relocate(Math.max(0, (getWidth() - figure.width() * s) / 2), Math.max(0, (getHeight() - figure.height() * s) / 2));
        if (Math.abs(s - renderedScale) > 0.02 || screenScale() != renderedScreen) {
            settle.playFromStart();
        }
    }

    /** The tooltip's text follows the cursor; off the figure's values there is no tooltip at all. */
    private void updateReadout(double x, double y) {
        readout.show(figure == null ? null : figure.readout(x, y));
    }

    /** The tooltip that reads out the value under the cursor (its text is the last position's readout). */
    public Tooltip readout() {
        return readout.tooltip();
    }

    /** The uniform scale that fits a {@code fw}×{@code fh} figure into {@code w}×{@code h}, within the bounds. */
    static double fitScale(double w, double h, double fw, double fh) {
        if (w <= 0 || h <= 0) {
            return 1;
        }
        return Math.max(MIN_SCALE, Math.min(MAX_SCALE, Math.min(w / fw, h / fh)));
    }

    /**
     * Renders the figure again at the scale it is shown at (and the screen's), so enlarged text stays sharp: on a
     * background thread (a long input's figure takes a while to draw), posted back unless another figure or scale
     * came meanwhile. The scaled image stays up until then.
     */
    private void renderSharp() {
        if (figure == null) {
            return;
        }
        double s = scale.getX();
        double screen = screenScale();
        renderedScale = s;
        renderedScreen = screen;
        Figure f = figure;
        long request = ++sharpRequests;
        SHARP_RENDERS.execute(() -> {
            BufferedImage sharp = PngExport.render(f, s * screen);
            Platform.runLater(() -> {
                if (figure == f && request == sharpRequests) {
                    setImage(sharp);
                }
            });
        });
    }

    /** One thread renders the sharp images of every view, newest request winning per view (see renderSharp). */
    private static final java.util.concurrent.Executor SHARP_RENDERS = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "headwise-figure-render");
        t.setDaemon(true);
        return t;
    });

    /** Pixels per unit of the window: 2 on a screen at 200%. */
    private double screenScale() {
        return getScene() != null && getScene().getWindow() != null ? getScene().getWindow().getRenderScaleX() : 1;
    }

    /** How many image pixels make one figure unit now (the figure's scale times the screen's): sharp at any scale. */
    public double pixelsPerUnit() {
        return image.getImage() == null || figure == null ? 0 : image.getImage().getWidth() / figure.width();
    }

    /** The image drawn in figure units, whatever its pixel size. */
    private void setImage(BufferedImage rendered) {
        image.setImage(SwingFXUtils.toFXImage(rendered, null));
        image.setFitWidth(figure.width());
        image.setFitHeight(figure.height());
        content.resize(figure.width(), figure.height());
    }

    public Figure figure() {
        return figure;
    }

    public Image image() {
        return image.getImage();
    }

    public void clearMarks() {
        marks.getChildren().clear();
    }

    /** Outlines a rectangle given in figure units, with a faint fill so a whole row or column reads as one band. */
    public void mark(Rectangle2D r) {
        Rectangle shape = new Rectangle(r.getX(), r.getY(), r.getWidth(), r.getHeight());
        shape.setFill(Color.color(MARK.getRed(), MARK.getGreen(), MARK.getBlue(), 0.12));
        shape.setStroke(MARK);
        shape.setStrokeWidth(1.5);
        marks.getChildren().add(shape);
    }

    /** Number of marks drawn now (for tests). */
    public int markCount() {
        return marks.getChildren().size();
    }

    /** Where figure point (x, y) is on the screen, whatever the scale shown (for tests that click a cell). */
    public javafx.geometry.Point2D figureToScreen(double x, double y) {
        return image.localToScreen(x, y);
    }

    /** Calls {@code handler} with the figure point under the mouse for events of {@code type}. */
    public void onMouse(javafx.event.EventType<MouseEvent> type, BiConsumer<Double, Double> handler) {
        image.addEventHandler(type, e -> handler.accept(e.getX(), e.getY()));
    }
}
