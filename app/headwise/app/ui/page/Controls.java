package headwise.app.ui.page;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory;
import javafx.scene.layout.HBox;

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

    public static Label bold(String text) {
        Label l = new Label(text);
        l.setStyle("-fx-font-weight: bold;");
        return l;
    }
}
