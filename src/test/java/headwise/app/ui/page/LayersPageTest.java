package headwise.app.ui.page;

import headwise.app.export.MetricsMap;
import headwise.app.export.SessionAnalysis;
import headwise.app.session.Session;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ApplicationExtension.class)
class LayersPageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    @Test
    void aLanguageModelGetsChartsTheLogitLensAndTheSimilarityMatrix(FxRobot robot) throws Exception {
        Session s = PageSessions.gpt2();
        int layers = s.result().attention().layers();
        int t = s.result().input().length();
        LayersPage page = harness.open(robot, LayersPage::new, s);
        assertEquals(4, page.chartCount(), "entropy, distance, sink mass, importance");
        assertEquals(layers, ((MatrixFigure) page.similarityView().figure()).rows());
        List<LayersPage.LensRow> rows = page.lensTable().getItems();
        assertEquals(layers + 1, rows.size(), "embeddings and every layer");
        assertEquals(1 + t, page.lensTable().getColumns().size());
        double[] finalTop = MetricsMap.numbers(s.metrics(), "logit_lens", "final_top");
        String lastTop = rows.get(layers).tokens().get(t - 1).get(0);
        assertEquals("#" + (int) finalTop[t - 1], lastTop, "the last row is the model's own prediction (no tokenizer: ids)");
        assertTrue(LayersPage.top(rows.get(layers), t - 1, 1).startsWith(lastTop + " 0."), LayersPage.top(rows.get(layers), t - 1, 1));
        robot.interact(() -> harness.state.hoveredTokenProperty().set(2));
        harness.screenshot("page-layers-gpt2.png");
    }

    @Test
    void anEncoderSaysItHasNoLogitLens(FxRobot robot) throws Exception {
        LayersPage page = harness.open(robot, LayersPage::new, PageSessions.minilm());
        assertEquals(4, page.chartCount());
        assertTrue(page.lensTable().getItems().isEmpty());
        assertFalse(robot.lookup(n -> n instanceof javafx.scene.control.Label l && l.getText().contains("has none")).queryAll().isEmpty());
        harness.screenshot("page-layers-minilm.png");
    }

    @Test
    void withoutMetricsItAsksForThem(FxRobot robot) {
        harness.open(robot, LayersPage::new, Session.of(PageSessions.gpt2().result()));
        robot.clickOn("#request-metrics");
        assertEquals(List.of(SessionAnalysis.Part.METRICS), harness.requested);
    }
}
