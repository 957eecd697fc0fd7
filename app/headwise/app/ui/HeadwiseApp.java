package headwise.app.ui;

import headwise.app.ui.state.AppPaths;
import headwise.app.ui.state.SessionFile;
import headwise.app.ui.state.SessionState;
import headwise.engine.HeadwiseException;
import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.stage.Screen;
import javafx.stage.Stage;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The application: restores the autosaved session (or starts on the bundled model with an example sentence),
 * shows the {@link MainWindow}, and closes the model on exit.
 */
public class HeadwiseApp extends Application {

    public static final String EXAMPLE = SessionState.EXAMPLE;

    private MainModel model;
    private MainWindow window;
    private Chooser chooser = new FxChooser();

    /** Called by {@code headwise.app.Main} when there are no command-line arguments. */
    public static void launchApp(String[] args) {
        Application.launch(HeadwiseApp.class, args);
    }

    /** Replaces the file dialogs (tests); call before {@link #start}. */
    public void setChooser(Chooser chooser) {
        this.chooser = chooser;
    }

    @Override
    public void start(Stage stage) {
        Path autosave = AppPaths.sessionFile();
        model = new MainModel(autosave);
        window = new MainWindow(model, chooser, () -> stage);
        stage.setTitle("Headwise");
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        stage.setScene(new Scene(window.root(), Math.min(1280, screen.getWidth()), Math.min(860, screen.getHeight())));
        stage.show();
        SessionState initial = SessionState.defaults();
        String problem = null;
        if (Files.exists(autosave)) {
            try {
                initial = SessionFile.read(autosave);
            } catch (HeadwiseException e) {
                problem = e.getMessage() + "; started a new session";
            }
        }
        model.start(initial, problem);
    }

    @Override
    public void stop() {
        if (model != null) {
            model.close();
        }
    }

    public MainModel model() {
        return model;
    }

    public MainWindow window() {
        return window;
    }
}
