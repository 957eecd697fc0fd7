package headwise.app.ui.page;

import headwise.viz.Figure;
import headwise.viz.export.PngExport;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.function.BiConsumer;

/**
 * A viz {@link Figure} shown as one image (rendered through the same ARGB path as PNG export, so the page shows
 * exactly what "Export…" writes), with highlight marks drawn as light JavaFX shapes over it: hovering changes only
 * the marks, never re-renders the figure. Figure units are pixels here (scale 1).
 */
public final class FigureView extends Pane {

    private static final Color MARK = Color.web("#D55E00");

    private final ImageView image = new ImageView();
    private final Pane marks = new Pane();
    private Figure figure;

    public FigureView() {
        marks.setMouseTransparent(true);
        getChildren().addAll(image, marks);
        setStyle("-fx-background-color: white;");
    }

    /** Renders {@code f} (FX thread) and clears the marks. */
    public void show(Figure f) {
        show(f, PngExport.render(f, 1));
    }

    /** Shows {@code f} as already rendered at scale 1 (e.g. on another thread) and clears the marks. */
    public void show(Figure f, BufferedImage rendered) {
        figure = f;
        image.setImage(SwingFXUtils.toFXImage(rendered, null));
        marks.getChildren().clear();
        setPrefSize(f.width(), f.height());
        setMinSize(f.width(), f.height());
        setMaxSize(f.width(), f.height());
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

    /** Calls {@code handler} with the figure point under the mouse for events of {@code type}. */
    public void onMouse(javafx.event.EventType<MouseEvent> type, BiConsumer<Double, Double> handler) {
        image.addEventHandler(type, e -> handler.accept(e.getX(), e.getY()));
    }
}
