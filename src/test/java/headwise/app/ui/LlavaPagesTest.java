package headwise.app.ui;

import headwise.app.session.Session;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;

import java.nio.file.Path;
import java.util.List;

import static headwise.app.ui.HeadwiseAppTest.status;
import static headwise.app.ui.HeadwiseAppTest.text;
import static headwise.app.ui.HeadwiseAppTest.waitFor;
import static headwise.app.ui.HeadwiseAppTest.waitForIdle;
import static headwise.app.ui.HeadwiseAppTest.waitForNewSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages that compute metrics, importance and the flow graph on a LLaVA run: every part is computed on the
 * joined sequence (text and 16 image positions) and the Flow, Importance, Layers and Sinks pages show it without a
 * Compute button or an error. Screenshots: target/screenshots/app-llava-page-*.png.
 */
@ExtendWith(ApplicationExtension.class)
class LlavaPagesTest {

    private static final Path LLAVA = Path.of("src/test/resources/fixtures/llava_clip_f32");

    private HeadwiseApp app;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        app = HeadwiseAppTest.startAutoComputing(stage, "120");
    }

    @Stop
    void stop() {
        HeadwiseAppTest.stopAutoComputing(app);
    }

    @Test
    void metricsImportanceAndFlowPagesWorkOnTheJoinedSequence(FxRobot robot) throws Exception {
        Session before = waitForIdle(app, 180);
        robot.interact(() -> app.window().open(LLAVA));
        waitFor(60, () -> !app.model().isBusy() && "llava_clip_f32".equals(app.model().modelName()), "the LLaVA loads");
        robot.interact(() -> text(robot).setText("hello world"));
        robot.clickOn("#analyse");
        Session run = waitForNewSession(app, before, 60);
        int length = run.result().input().length();
        waitFor(180, () -> {
            Session s = app.model().session();
            return !app.model().isBusy() && s.metrics() != null && s.flow() != null && s.ablation() != null && s.gradient() != null;
        }, "metrics, flow and importance of the joined sequence; status: " + app.model().statusProperty().get());
        Session s = app.model().session();
        assertEquals(length, ((Number) ((java.util.Map<?, ?>) s.metrics().get("meta")).get("tokens")).intValue());
        assertTrue(Double.isFinite(s.ablation().baselineLoss()) && Double.isFinite(s.gradient().loss()));
        Object lens = ((java.util.Map<?, ?>) s.metrics().get("logit_lens")).get(headwise.app.export.LensTokens.KEY);
        assertTrue(lens instanceof List<?>, "the logit lens names its tokens for the Layers page");
        HeadwiseAppTest.assertPagesNeedNoCompute(robot, app, stage, "app-llava-page-");
        assertFalse(status(robot).contains("Error"), status(robot));
    }
}
