package headwise.app.ui;

import javafx.application.Application;
import javafx.stage.Stage;

/** Placeholder until the app lands (being written now). */
public class HeadwiseApp extends Application {

    public static void launchApp(String[] args) {
        Application.launch(HeadwiseApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        stage.show();
    }
}
