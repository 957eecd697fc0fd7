package headwise.app.ui;

import headwise.app.StartupTrace;
import headwise.app.session.SessionFile;
import headwise.app.session.SessionState;
import headwise.app.ui.core.ModelViewPage;
import headwise.app.ui.model.AnalysisRun;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.model.AppPaths;
import headwise.app.ui.model.StartupPreload;
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

    private AppModel model;
    private MainWindow window;
    private Chooser chooser = new FxChooser();

    /** The first model load and run, started before the toolkit by {@link #launchApp}; taken by {@link #start}. */
    private static volatile StartupPreload<AnalysisRun.Outcome> preload;

    /**
     * Called by {@code headwise.app.Main} when there are no command-line arguments. The session to restore is read
     * first, so that its model loads and its input is analysed while the JavaFX toolkit starts and the window appears.
     */
    public static void launchApp(String[] args) {
        StartupTrace.mark("launch");
        Thread warmUp = new Thread(() -> {
            long t = StartupTrace.now();
            ModelViewPage.warmUpDrawing();
            StartupTrace.done("drawing warm-up", t);
        }, "headwise-warmup");
        warmUp.setDaemon(true);
        warmUp.start();
        preload = AppModel.preload(initialState(AppPaths.sessionFile()).state());
        Application.launch(HeadwiseApp.class, args);
    }

    /** The state to start on and, when the autosave could not be read, why (shown once the first run is done). */
    private record Initial(SessionState state, String problem) {
    }

    private static Initial initialState(Path autosave) {
        if (Files.exists(autosave)) {
            try {
                return new Initial(SessionFile.read(autosave), null);
            } catch (HeadwiseException e) {
                return new Initial(SessionState.defaults(), e.getMessage() + "; started a new session");
            }
        }
        return new Initial(SessionState.defaults(), null);
    }

    /** Replaces the file dialogs (tests); call before {@link #start}. */
    public void setChooser(Chooser chooser) {
        this.chooser = chooser;
    }

    @Override
    public void start(Stage stage) {
        StartupTrace.mark("javafx started");
        long t = StartupTrace.now();
        Path autosave = AppPaths.sessionFile();
        Initial initial = initialState(autosave);
        ThemeStyles.apply(initial.state().theme()); // before the first node is styled: no light flash in dark
        model = new AppModel(autosave);
        window = new MainWindow(model, chooser, () -> stage);
        StartupTrace.done("window built", t);
        stage.setTitle("Headwise");
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        Scene scene = new Scene(window.root(), Math.min(1280, screen.getWidth()), Math.min(860, screen.getHeight()));
        ThemeStyles.addTo(scene);
        stage.setScene(scene);
        FirstViewProbe.install(model, scene);
        window.installKeys(scene);
        t = StartupTrace.now();
        stage.show();
        StartupTrace.done("stage.show", t);
        StartupPreload<AnalysisRun.Outcome> early = preload;
        preload = null;
        if (early != null) {
            model.adopt(early); // used only if it loads the model start asks for
        }
        model.start(initial.state(), initial.problem());
    }

    @Override
    public void stop() {
        if (model != null) {
            model.close();
        }
    }

    public AppModel model() {
        return model;
    }

    public MainWindow window() {
        return window;
    }
}
