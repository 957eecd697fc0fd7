package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.Session;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.viz.view.FlowGraphFigure;
import headwise.viz.view.MatrixFigure;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ApplicationExtension.class)
class FlowPageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    @Test
    void sliderFiltersTheComputedGraphAndHoverMarksTheToken(FxRobot robot) throws Exception {
        Session s = PageSessions.minilm();
        ContributionGraph full = s.flow();
        assertTrue(full.edges().size() > 10, "a real graph: " + full.edges().size());
        FlowPage page = harness.open(robot, FlowPage::new, s);
        assertEquals(full.edges().size(), page.shownGraph().edges().size(), "at the computed threshold every edge shows");
        assertInstanceOf(FlowGraphFigure.class, page.mainView().figure());

        double cut = 0.3;
        robot.interact(() -> page.thresholdSlider().setValue(cut));
        ContributionGraph shown = page.shownGraph();
        assertTrue(shown.edges().size() < full.edges().size(), shown.edges().size() + " of " + full.edges().size());
        assertFalse(shown.edges().isEmpty());
        assertTrue(shown.edges().stream().allMatch(e -> e.weight() >= cut));
        assertEquals(shown.layers(), shown.edges().stream().mapToInt(ContributionGraph.Edge::toLayer).max().orElseThrow(),
                "the kept edges still reach the target's layer");
        assertTrue(robot.lookup("#flow-threshold-text").queryLabeled().getText().contains("of " + full.edges().size() + " edges"));

        robot.interact(() -> page.besideRawBox().setSelected(true));
        assertInstanceOf(MatrixFigure.class, page.rawView().figure());
        robot.interact(() -> harness.state.hoveredTokenProperty().set(3));
        assertEquals(1, page.mainView().markCount(), "the token's column is marked in the graph");
        assertEquals(2, page.rawView().markCount(), "its row and column in the raw attention");
        harness.screenshot("page-flow-routes.png");

        robot.interact(() -> harness.state.hoveredTokenProperty().set(-1));
        assertEquals(0, page.mainView().markCount());
    }

    @Test
    void rolloutAndMaxFlowAreTokenByTokenHeatmaps(FxRobot robot) throws Exception {
        Session s = PageSessions.minilm();
        int t = s.result().input().length();
        FlowPage page = harness.open(robot, FlowPage::new, s);
        robot.clickOn("#flow-rollout");
        MatrixFigure rollout = (MatrixFigure) page.mainView().figure();
        assertEquals(t, rollout.rows());
        assertNull(page.shownGraph());
        robot.interact(() -> page.besideRawBox().setSelected(true));
        harness.screenshot("page-flow-rollout.png");
        robot.clickOn("#flow-max-flow");
        MatrixFigure flow = (MatrixFigure) page.mainView().figure();
        assertEquals(t, flow.cols());
        assertTrue(flow != rollout);
        harness.screenshot("page-flow-maxflow.png");
    }

    @Test
    void aMissingGraphAsksTheWindowForIt(FxRobot robot) throws Exception {
        Session s = Session.of(PageSessions.gpt2().result());
        harness.open(robot, FlowPage::new, s);
        robot.clickOn("#request-flow");
        assertEquals(List.of(SessionAnalysis.Part.FLOW), harness.requested);
        robot.clickOn("#flow-rollout");
        robot.clickOn("#request-metrics");
        assertEquals(List.of(SessionAnalysis.Part.FLOW, SessionAnalysis.Part.METRICS), harness.requested);
        harness.screenshot("page-flow-missing.png");
    }
}
