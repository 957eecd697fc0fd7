package headwise.app.ui;

import headwise.engine.load.BundledModels;
import headwise.engine.run.AnalysisResult;
import headwise.viz.AttentionHeatmap;
import javafx.application.Application;
import javafx.beans.binding.Bindings;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.stage.Screen;
import javafx.stage.Stage;

import java.util.List;
import java.util.Locale;

/**
 * The window: a sentence, a layer and a head, and that head's attention heatmap. The view only binds to
 * {@link AppModel} and draws; choosing another layer or head re-renders the current result without running the model.
 */
public class HeadwiseApp extends Application {

    public static final String EXAMPLE = "The cat sat on the mat because it was tired.";

    private AppModel model;
    private final TextField text = new TextField(EXAMPLE);
    private final Spinner<Integer> layer = new Spinner<>(0, 0, 0);
    private final Spinner<Integer> head = new Spinner<>(0, 0, 0);
    private final ImageView heatmap = new ImageView();
    private final Label cell = new Label();
    private AttentionHeatmap.Layout layout;

    /** Called by {@code headwise.app.Main} when there are no command-line arguments. */
    public static void launchApp(String[] args) {
        Application.launch(HeadwiseApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        model = new AppModel(BundledModels.MINILM);
        stage.setTitle("Headwise");
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        stage.setScene(new Scene(root(), Math.min(1040, screen.getWidth()), Math.min(820, screen.getHeight())));
        stage.show();
        model.start(text.getText());
    }

    @Override
    public void stop() {
        if (model != null) {
            model.close();
        }
    }

    AppModel model() {
        return model;
    }

    private BorderPane root() {
        text.setId("text");
        text.setPromptText("A sentence to analyse");
        text.setOnAction(e -> model.analyse(text.getText()));
        HBox.setHgrow(text, Priority.ALWAYS);
        Button analyse = new Button("Analyse");
        analyse.setId("analyse");
        analyse.setOnAction(e -> model.analyse(text.getText()));

        layer.setId("layer");
        head.setId("head");
        for (Spinner<Integer> spinner : List.of(layer, head)) {
            spinner.setPrefWidth(76);
            spinner.disableProperty().bind(model.resultProperty().isNull());
            spinner.valueProperty().addListener((obs, old, now) -> render());
        }
        HBox top = new HBox(8, new Label("Text"), text, analyse, gap(12), new Label("Layer"), layer, new Label("Head"), head);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(10));

        heatmap.setId("heatmap");
        heatmap.addEventHandler(MouseEvent.MOUSE_MOVED, this::describeCell);
        heatmap.addEventHandler(MouseEvent.MOUSE_EXITED, e -> cell.setText(""));
        StackPane picture = new StackPane(heatmap);
        picture.setStyle("-fx-background-color: white;");
        ScrollPane centre = new ScrollPane(picture);
        centre.setFitToWidth(true);
        centre.setFitToHeight(true);

        ProgressBar progress = new ProgressBar(ProgressBar.INDETERMINATE_PROGRESS);
        progress.setId("progress");
        progress.setPrefWidth(120);
        Button cancel = new Button("Cancel");
        cancel.setId("cancel");
        cancel.setOnAction(e -> model.cancel());
        for (var busyOnly : List.of(progress, cancel)) {
            busyOnly.visibleProperty().bind(model.busyProperty());
            busyOnly.managedProperty().bind(model.busyProperty());
        }
        Label status = new Label();
        status.setId("status");
        status.textProperty().bind(model.statusProperty());
        status.styleProperty().bind(Bindings.when(model.failedProperty())
                .then("-fx-text-fill: #b00020; -fx-font-weight: bold;").otherwise(""));
        cell.setId("cell");
        HBox bottom = new HBox(8, progress, cancel, status, gap(0), cell);
        bottom.setAlignment(Pos.CENTER_LEFT);
        bottom.setPadding(new Insets(6, 10, 6, 10));

        model.resultProperty().addListener((obs, old, result) -> showResult(result));
        return new BorderPane(centre, top, null, bottom, null);
    }

    private static Region gap(double width) {
        Region gap = new Region();
        gap.setMinWidth(width);
        HBox.setHgrow(gap, Priority.ALWAYS);
        return gap;
    }

    /** A new result: fit the spinners to its model (keeping the selection where it fits), then draw. */
    private void showResult(AnalysisResult result) {
        fitRange(layer, result.spec().layers());
        fitRange(head, result.spec().heads());
        render();
    }

    private static void fitRange(Spinner<Integer> spinner, int count) {
        int value = Math.min(spinner.getValue() == null ? 0 : spinner.getValue(), count - 1);
        IntegerSpinnerValueFactory factory = (IntegerSpinnerValueFactory) spinner.getValueFactory();
        if (factory.getMax() != count - 1) {
            spinner.setValueFactory(new IntegerSpinnerValueFactory(0, count - 1, value));
        }
    }

    /** Draws the selected head of the current result (no engine call). */
    private void render() {
        AnalysisResult result = model.result();
        if (result == null) {
            return;
        }
        int l = layer.getValue();
        int h = head.getValue();
        if (l >= result.spec().layers() || h >= result.spec().heads()) {
            return; // the spinners are being fitted to a new model
        }
        String title = String.format(Locale.ROOT, "%s \u00b7 layer %d, head %d", result.modelName(), l, h);
        String[] tokens = result.input().tokens();
        int length = result.input().length();
        layout = AttentionHeatmap.layout(length, tokens, title);
        heatmap.setImage(SwingFXUtils.toFXImage(AttentionHeatmap.render(result.attention().head(l, h), length, tokens, title), null));
        cell.setText("");
    }

    /** "query → key: weight" for the cell under the mouse. */
    private void describeCell(MouseEvent e) {
        AnalysisResult result = model.result();
        int[] at = layout == null || result == null ? null : layout.cellAt(e.getX(), e.getY());
        if (at == null) {
            cell.setText("");
            return;
        }
        String[] tokens = result.input().tokens();
        float weight = result.attention().get(layer.getValue(), head.getValue(), at[0], at[1]);
        cell.setText(String.format(Locale.ROOT, "query %d \u201c%s\u201d \u2192 key %d \u201c%s\u201d: %.3f",
                at[0], AttentionHeatmap.shorten(tokens[at[0]]), at[1], AttentionHeatmap.shorten(tokens[at[1]]), weight));
    }
}
