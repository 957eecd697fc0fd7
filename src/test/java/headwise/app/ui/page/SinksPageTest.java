package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.Session;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ApplicationExtension.class)
class SinksPageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    /** The first head (layer by layer) with a sink key. */
    private static Session withASinkHead(Session s) {
        double[][][] scores = SessionSinks.scores(s);
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                for (double v : scores[l][h]) {
                    if (v > 0.3) {
                        return s.withSelection(l, h);
                    }
                }
            }
        }
        throw new AssertionError("no sink head");
    }

    @Test
    void theToggleHidesTheSinkKeysAndRenormalisesEveryRow(FxRobot robot) throws Exception {
        Session s = withASinkHead(PageSessions.minilm());
        int t = s.result().input().length();
        SinksPage page = harness.open(robot, SinksPage::new, s);
        float[] original = page.previewMatrix().clone();
        assertEquals(6, page.layerTable().getItems().size(), "a row per layer");
        assertNotNull(page.rateChart());
        robot.interact(() -> harness.state.hoveredTokenProperty().set(0));
        harness.screenshot("page-sinks.png");

        robot.clickOn("#hide-sinks");
        assertTrue(harness.state.hideSinksProperty().get(), "the switch is the shared view state");
        float[] hidden = page.previewMatrix();
        boolean[] sinks = SessionSinks.sinkKeys(s, s.layer(), s.head());
        assertTrue(headwise.viz.SinkHiding.any(sinks));
        for (int i = 0; i < t; i++) {
            double sum = 0;
            double kept = 0;
            for (int j = 0; j < t; j++) {
                sum += hidden[i * t + j];
                if (sinks[j]) {
                    assertEquals(0f, hidden[i * t + j], "sink column " + j + " is dropped");
                } else {
                    kept += original[i * t + j];
                }
            }
            assertEquals(kept > 0 ? 1.0 : 0.0, sum, 1e-5, "row " + i + " sums to 1 again");
        }
        harness.screenshot("page-sinks-hidden.png");

        robot.interact(() -> harness.state.hideSinksProperty().set(false));
        assertFalse(robot.lookup("#hide-sinks").queryAs(javafx.scene.control.CheckBox.class).isSelected());
        assertEquals(original[0], page.previewMatrix()[0]);
    }

    @Test
    void massiveActivationsNeedTheMetrics(FxRobot robot) {
        harness.open(robot, SinksPage::new, Session.of(PageSessions.gpt2().result()));
        robot.clickOn("#request-metrics");
        assertEquals(List.of(SessionAnalysis.Part.METRICS), harness.requested);
    }
}
