package headwise.app.ui;

import headwise.engine.run.AnalysisResult;
import headwise.viz.AttentionHeatmap;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The window, headless (Monocle): starts on the bundled model with the example analysed, and stays usable. */
@ExtendWith(ApplicationExtension.class)
class HeadwiseAppTest {

    private static final int EXAMPLE_TOKENS = 13; // [CLS] the cat sat on the mat because it was tired . [SEP]

    private HeadwiseApp app;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        app = new HeadwiseApp();
        app.start(stage);
    }

    @Stop
    void stop() {
        app.stop();
    }

    @Test
    void showsTheExampleAndRerendersWithoutRunningTheModel(FxRobot robot) throws Exception {
        AnalysisResult result = waitForIdle(robot, 90);
        assertNotNull(result, status(robot));
        assertEquals("all-MiniLM-L6-v2", result.modelName());
        assertEquals(EXAMPLE_TOKENS, result.input().length());
        assertEquals("[CLS]", result.input().tokens()[0]);
        assertTrue(status(robot).contains(EXAMPLE_TOKENS + " tokens"), status(robot));
        assertEquals(5, spinnerMax(robot, "#layer"));
        assertEquals(11, spinnerMax(robot, "#head"));

        Image first = heatmap(robot).getImage();
        assertNotNull(first, "the heatmap is shown");
        AttentionHeatmap.Layout layout = AttentionHeatmap.layout(EXAMPLE_TOKENS, result.input().tokens(),
                "all-MiniLM-L6-v2 \u00b7 layer 0, head 0");
        assertEquals(layout.width(), (int) first.getWidth());
        assertEquals(layout.height(), (int) first.getHeight());
        assertEquals(40, layout.cellSize(), "13 tokens get 40-pixel cells");
        screenshot("app-main.png");

        robot.moveTo(heatmap(robot)).moveBy(layout.centreX(3) - first.getWidth() / 2, layout.centreY(2) - first.getHeight() / 2);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#cell").queryAs(Label.class).getText().startsWith("query 2 \u201ccat\u201d \u2192 key 3 \u201csat\u201d"),
                robot.lookup("#cell").queryAs(Label.class).getText());

        robot.clickOn(robot.lookup("#head").lookup(".increment-arrow-button").queryAs(Node.class));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, robot.lookup("#head").queryAs(Spinner.class).getValue());
        Image second = heatmap(robot).getImage();
        assertFalse(Arrays.equals(pixels(first), pixels(second)), "head 1 looks different from head 0");
        assertSame(result, app.model().result(), "changing the head runs nothing");
        assertFalse(app.model().isBusy());
    }

    @Test
    void badInputShowsAnErrorAndKeepsThePreviousHeatmap(FxRobot robot) throws Exception {
        AnalysisResult result = waitForIdle(robot, 90);
        assertNotNull(result, status(robot));
        Image shown = heatmap(robot).getImage();

        robot.interact(() -> text(robot).setText("   "));
        robot.clickOn("#text").type(KeyCode.ENTER);
        waitForIdle(robot, 10);
        assertTrue(status(robot).startsWith("Error: ") && status(robot).contains("empty"), status(robot));
        assertTrue(app.model().failedProperty().get());
        assertSame(shown, heatmap(robot).getImage(), "the previous heatmap stays");

        robot.interact(() -> text(robot).setText("word ".repeat(600)));
        robot.clickOn("#text").type(KeyCode.ENTER);
        waitForIdle(robot, 60);
        assertTrue(status(robot).startsWith("Error: ") && status(robot).contains("512 positions"), status(robot));
        assertFalse(status(robot).contains("\n"), "one line");
        assertSame(result, app.model().result(), "the previous result stays");
        assertSame(shown, heatmap(robot).getImage(), "the previous heatmap stays");
        screenshot("app-error.png");

        // cancel: the UI is idle at once and the abandoned run's result never shows
        robot.interact(() -> {
            text(robot).setText("Cancelled before it could finish.");
            text(robot).fireEvent(new javafx.event.ActionEvent());
            assertTrue(app.model().isBusy());
            robot.lookup("#cancel").queryAs(Button.class).fire();
        });
        assertFalse(app.model().isBusy());
        assertTrue(status(robot).startsWith("Cancelled"), status(robot));
        Thread.sleep(3000);
        WaitForAsyncUtils.waitForFxEvents();
        assertSame(result, app.model().result(), "an abandoned run's result is ignored");
        assertFalse(app.model().failedProperty().get());

        // and the app still works
        robot.interact(() -> text(robot).setText("Attention is all you need."));
        robot.clickOn("#analyse");
        AnalysisResult next = waitForIdle(robot, 60);
        assertEquals(8, next.input().length(), status(robot));
        assertTrue(heatmap(robot).getImage() != shown);
    }

    /** Waits until the model is idle with a result; fails with the status line on timeout. */
    private AnalysisResult waitForIdle(FxRobot robot, int seconds) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> !app.model().isBusy() && app.model().result() != null
                    || app.model().failedProperty().get() && app.model().result() == null);
        } catch (TimeoutException e) {
            fail("not idle after " + seconds + " s; status: " + status(robot));
        }
        WaitForAsyncUtils.waitForFxEvents();
        return app.model().result();
    }

    private static String status(FxRobot robot) {
        return robot.lookup("#status").queryAs(Label.class).getText();
    }

    private static TextField text(FxRobot robot) {
        return robot.lookup("#text").queryAs(TextField.class);
    }

    private static ImageView heatmap(FxRobot robot) {
        return robot.lookup("#heatmap").queryAs(ImageView.class);
    }

    private static int spinnerMax(FxRobot robot, String id) {
        var factory = robot.lookup(id).queryAs(Spinner.class).getValueFactory();
        return ((javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory) factory).getMax();
    }

    private static int[] pixels(Image image) {
        BufferedImage buffered = SwingFXUtils.fromFXImage(image, null);
        return buffered.getRGB(0, 0, buffered.getWidth(), buffered.getHeight(), null, 0, buffered.getWidth());
    }

    private void screenshot(String name) throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "screenshots"));
        var image = WaitForAsyncUtils.asyncFx(() -> stage.getScene().getRoot().snapshot(null, null)).get(10, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", new File(folder.toFile(), name));
    }
}
