package headwise.app.ui;

import headwise.app.session.Session;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.core.ModelViewPage;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static headwise.app.ui.HeadwiseAppTest.screenshot;
import static headwise.app.ui.HeadwiseAppTest.status;
import static headwise.app.ui.HeadwiseAppTest.text;
import static headwise.app.ui.HeadwiseAppTest.waitFor;
import static headwise.app.ui.HeadwiseAppTest.waitForIdle;
import static headwise.app.ui.HeadwiseAppTest.waitForNewSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A LLaVA folder in the real window (headless): it opens, its text runs with the example image joined in (16 patch
 * positions), the Image… button is enabled, and the model view and a head page show the joined sequence.
 * Screenshots go to target/screenshots/app-llava-*.png.
 */
@ExtendWith(ApplicationExtension.class)
class LlavaAppTest {

    private static final Path LLAVA = Path.of("src/test/resources/fixtures/llava_clip_f32");

    private HeadwiseApp app;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path folder = Files.createTempDirectory("headwise-llava-app-test");
        app = HeadwiseAppTest.startApp(stage, folder.resolve("config").resolve("session.json"), new HeadwiseAppTest.FakeChooser());
    }

    @Stop
    void stop() {
        app.stop();
    }

    @Test
    void aLlavaOpensWithAnExampleImageAndItsPagesShowTheJoinedSequence(FxRobot robot) throws Exception {
        Session before = waitForIdle(app, 120);
        robot.interact(() -> app.window().open(LLAVA));
        waitFor(60, () -> !app.model().isBusy() && "llava_clip_f32".equals(app.model().modelName()), "the LLaVA loads");
        robot.interact(() -> text(robot).setText("hello world"));
        robot.clickOn("#analyse");
        Session run = waitForNewSession(app, before, 60);
        assertEquals("llava_clip_f32", run.result().modelName(), status(robot));
        String[] tokens = run.result().input().tokens();
        assertEquals(16, Arrays.stream(tokens).filter(t -> t.startsWith("patch(")).count(), Arrays.toString(tokens));
        assertFalse(robot.lookup("#image").query().isDisabled(), "the Image… button takes the picture");

        robot.interact(() -> app.window().selectPage(ModelViewPage.TITLE));
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "app-llava-model-view.png");
        robot.interact(() -> app.window().viewState().openHead(1, 2));
        WaitForAsyncUtils.waitForFxEvents();
        HeadDetailPage head = (HeadDetailPage) app.window().page(HeadDetailPage.TITLE);
        waitFor(30, () -> head.scatter().chart() != null, "the q/k projection of the joined sequence");
        screenshot(stage, "app-llava-head.png");
        waitForIdle(app, 120); // the parts computed on their own (importance, sinks…) run on the joined sequence too
        assertFalse(status(robot).contains("Error"), status(robot));
    }
}
