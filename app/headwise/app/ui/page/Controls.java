package headwise.app.ui.page;

import headwise.app.ui.widget.Styles;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.beans.binding.Bindings;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;

/** The controls every page sets up the same way: tool bars, index spinners, bold headings. */
public final class Controls {

    private Controls() {
    }

    /** A page's tool bar above its content: controls in a row, centred vertically. */
    public static HBox toolbar(Node... nodes) {
        return row(new Insets(0, 0, 8, 0), nodes);
    }

    /** A tool bar for a page without padding of its own (the model view, the head page). */
    public static HBox paddedToolbar(Node... nodes) {
        return row(new Insets(6, 8, 6, 8), nodes);
    }

    private static HBox row(Insets padding, Node... nodes) {
        HBox bar = new HBox(8, nodes);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(padding);
        return bar;
    }

    /** A spinner over 0..n−1 (a layer or head index), calling {@code onChange} when its value changes. */
    public static Spinner<Integer> indexSpinner(String id, double width, Runnable onChange) {
        Spinner<Integer> spinner = new Spinner<>(0, 0, 0);
        spinner.setId(id);
        spinner.setPrefWidth(width);
        spinner.valueProperty().addListener((o, was, now) -> {
            if (now != null) {
                onChange.run();
            }
        });
        return spinner;
    }

    /** Shows {@code value} of 0..count−1 (a new range when the count changed). */
    public static void fit(Spinner<Integer> spinner, int count, int value) {
        IntegerSpinnerValueFactory factory = (IntegerSpinnerValueFactory) spinner.getValueFactory();
        if (factory.getMax() != count - 1) {
            spinner.setValueFactory(new IntegerSpinnerValueFactory(0, count - 1, value));
        } else {
            factory.setValue(value);
        }
    }

    /**
     * {@code image} scaled (keeping its proportions) to fill whatever room the returned pane gets, centred, on white:
     * never larger than twice its own size, never clipped, never a scroll bar.
     */
    public static StackPane fittedImage(ImageView image) {
        StackPane pane = new StackPane(image);
        pane.getStyleClass().add("hw-figure");
        pane.setMinSize(80, 60);
        image.setPreserveRatio(true);
        image.setSmooth(true);
        image.setManaged(false); // its size follows the pane's, never the other way round
        pane.layoutBoundsProperty().addListener((o, was, now) -> fit(image, now.getWidth(), now.getHeight()));
        image.imageProperty().addListener((o, was, now) -> fit(image, pane.getWidth(), pane.getHeight()));
        return pane;
    }

    private static void fit(ImageView view, double width, double height) {
        Image image = view.getImage();
        if (image == null || width <= 0 || height <= 0) {
            return;
        }
        double scale = Math.min(2, Math.min((width - 8) / image.getWidth(), (height - 8) / image.getHeight()));
        view.setFitWidth(image.getWidth() * scale);
        view.setFitHeight(image.getHeight() * scale);
        view.relocate((width - image.getWidth() * scale) / 2, (height - image.getHeight() * scale) / 2);
    }

    /**
     * {@code grid} in a scroll pane whose width it takes, its {@code columns} columns sharing that width equally: the
     * charts and figures in it grow with the window and never need a horizontal scroll bar.
     */
    public static ScrollPane sharedColumns(GridPane grid, int columns) {
        for (int c = 0; c < columns; c++) {
            ColumnConstraints column = new ColumnConstraints();
            column.setPercentWidth(100.0 / columns);
            column.setFillWidth(true);
            column.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(column);
        }
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToWidth(true);
        return scroll;
    }

    /**
     * {@code cell} (a chart, a figure's box) wide as its grid column and {@code fraction} of the visible height of
     * {@code scroll}, at least {@code min} pixels.
     */
    public static <R extends Region> R sized(R cell, ScrollPane scroll, double fraction, double min) {
        cell.setMaxWidth(Double.MAX_VALUE);
        cell.setMinWidth(120);
        cell.prefHeightProperty().bind(Bindings.max(min, scroll.heightProperty().multiply(fraction)));
        cell.setMinHeight(Region.USE_PREF_SIZE);
        return cell;
    }

    /** {@code figure} in a box that {@link #sized} can size: the figure fills it, scaled to fit. */
    public static StackPane box(FigureView figure) {
        return new StackPane(figure);
    }

    public static Label bold(String text) {
        Label l = new Label(text);
        l.getStyleClass().add(Styles.BOLD);
        return l;
    }
}
