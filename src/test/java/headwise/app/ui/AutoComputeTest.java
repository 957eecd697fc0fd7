package headwise.app.ui;

import headwise.app.export.PartCosts;
import headwise.app.session.Results;
import headwise.app.session.Session;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What is cheap is computed without a click: on the bundled MiniLM the flow, importance, layers and sinks pages show
 * their results with no "Compute" button; what is estimated above the limit keeps its button, which says the cost; a
 * new input drops what is still computing for the old one. The limit is raised from 2 s to {@value #LIMIT} s here:
 * this machine runs four builds beside the tests (a 13-token forward takes 0.1–0.5 s instead of milliseconds).
 */
@ExtendWith(ApplicationExtension.class)
class AutoComputeTest {

    private static final String LIMIT = "120";

    private HeadwiseApp app;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        app = HeadwiseAppTest.startAutoComputing(stage, LIMIT);
    }

    @Stop
    void stop() {
        HeadwiseAppTest.stopAutoComputing(app);
    }

    @Test
    void theCheapAnalysesOfTheBundledModelAreThereWithoutAClick(FxRobot robot) throws Exception {
        waitFor(180, () -> {
            Session s = app.model().session();
            return !app.model().isBusy() && s != null && s.metrics() != null && s.flow() != null && s.ablation() != null
                    && s.gradient() != null;
        }, "metrics, flow and importance computed on their own");
        HeadwiseAppTest.assertPagesNeedNoCompute(robot, app, stage, "auto-");
        assertTrue(app.model().statusProperty().get().contains("13 tokens"),
                "the parts computed on their own leave the run's summary: " + app.model().statusProperty().get());
    }

    @Test
    void aNewInputDropsWhatStillComputesForTheOldOne(FxRobot robot) throws Exception {
        waitFor(180, () -> !app.model().isBusy() && app.model().session() != null, "the first run");
        List<Results> seen = new CopyOnWriteArrayList<>();
        robot.interact(() -> app.model().runner().resultsProperty().addListener((o, was, now) -> seen.add(now)));
        // a longer input: its parts take a while, and the next input arrives while they run
        robot.interact(() -> app.model().analyse("word ".repeat(60)));
        waitFor(60, () -> !seen.isEmpty(), "the long input's run");
        Results longRun = seen.get(0);
        assertTrue(app.model().isBusy(), "its cheap parts are computing");
        robot.interact(() -> app.model().analyse("A short one."));
        int seenAtSwitch = seen.size();
        waitFor(120, () -> {
            Session s = app.model().session();
            return !app.model().isBusy() && s.result() != longRun.result() && s.metrics() != null;
        }, "the short input with its parts");
        waitFor(20, () -> app.model().jobsInFlight() == 0, "the abandoned jobs' threads stop");
        for (Results r : seen.subList(seenAtSwitch, seen.size())) {
            assertTrue(r.result() != longRun.result(), "nothing computed for the old input arrives after the new one");
        }
        Session s = app.model().session();
        assertEquals(6, s.result().input().length(), "[CLS] a short one . [SEP]");
        assertNotNull(s.flow());
    }

    @Test
    void anAnalysisAboveTheLimitKeepsItsButtonWhichSaysWhatItCosts(FxRobot robot) throws Exception {
        waitFor(180, () -> !app.model().isBusy() && app.model().session() != null, "the first run");
        System.setProperty(PartCosts.CHEAP_SECONDS_PROPERTY, "0");
        robot.interact(() -> {
            app.window().selectPage("Importance");
            app.model().analyse("Nothing is cheap now.");
        });
        waitFor(60, () -> !app.model().isBusy() && app.model().session().result().input().length() == 7, "the new run");
        Session s = app.model().session();
        assertTrue(s.ablation() == null && s.metrics() == null, "nothing computed unasked");
        String label = robot.lookup("#request-importance").queryButton().getText();
        double estimate = app.model().estimateSeconds(headwise.app.export.SessionAnalysis.Part.IMPORTANCE);
        assertEquals("Compute importance \u2014 " + PartCosts.describe(estimate), label);
        assertTrue(estimate > 0, label);
        HeadwiseAppTest.screenshot(stage, "auto-importance-button.png");
    }

    private static void waitFor(int seconds, BooleanSupplier condition, String what) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition::getAsBoolean);
        } catch (TimeoutException e) {
            fail("timed out waiting for: " + what);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }
}
