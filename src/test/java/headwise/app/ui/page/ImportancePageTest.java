package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.Session;
import headwise.viz.view.MatrixFigure;
import javafx.geometry.Point2D;
import javafx.scene.control.TableColumn;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.awt.geom.Rectangle2D;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ApplicationExtension.class)
class ImportancePageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    @Test
    void everyMeasureIsAHeatmapAndATableColumnThatSorts(FxRobot robot) throws Exception {
        Session s = PageSessions.minilm();
        ImportancePage page = harness.open(robot, ImportancePage::new, s);
        List<String> names = page.measureNames();
        assertTrue(names.containsAll(List.of("ablation_hidden", "gradient", "confidence", "entropy", "prev_token", "induction")), names.toString());
        assertEquals(names.size(), page.measureViews().size());
        assertEquals(6 * 12, page.table().getItems().size());
        MatrixFigure rho = (MatrixFigure) page.agreementView().figure();
        assertEquals(names.size(), rho.rows());

        int gradient = names.indexOf("gradient");
        @SuppressWarnings("unchecked")
        TableColumn<ImportancePage.HeadRow, ?> column = (TableColumn<ImportancePage.HeadRow, ?>) page.table().getColumns().get(2 + gradient);
        robot.interact(() -> {
            column.setSortType(TableColumn.SortType.DESCENDING);
            page.table().getSortOrder().setAll(column);
        });
        List<ImportancePage.HeadRow> rows = page.table().getItems();
        double[][] scores = s.gradient().importance();
        double best = 0;
        for (double[] layer : scores) {
            for (double v : layer) {
                best = Math.max(best, v);
            }
        }
        assertEquals(best, rows.get(0).scores()[gradient], 0.0, "the most important head comes first");
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).scores()[gradient] >= rows.get(i).scores()[gradient], "sorted at row " + i);
        }
        harness.screenshot("page-importance.png");

        ImportancePage.HeadRow second = rows.get(1);
        robot.clickOn(robot.lookup("#importance-table .table-row-cell").nth(1).queryAs(javafx.scene.Node.class));
        assertArrayEquals(new int[] {second.layer(), second.head()}, harness.opened.get(harness.opened.size() - 1));
    }

    @Test
    void clickingAHeatmapCellOpensThatHead(FxRobot robot) {
        ImportancePage page = harness.open(robot, ImportancePage::new, PageSessions.gpt2());
        FigureView entropy = page.measureViews().get(page.measureNames().indexOf("entropy"));
        Rectangle2D cell = ((MatrixFigure) entropy.figure()).cells(2, 3, 1, 2);
        Point2D onScreen = entropy.localToScreen(cell.getCenterX(), cell.getCenterY());
        robot.moveTo(onScreen);
        assertEquals(1, entropy.markCount(), "hovering marks the head");
        robot.clickOn(onScreen);
        assertArrayEquals(new int[] {2, 1}, harness.opened.get(0));
    }

    @Test
    void withoutImportanceItAsksForItSayingWhatItCosts(FxRobot robot) {
        harness.state.setEstimates(part -> part == SessionAnalysis.Part.IMPORTANCE ? 40.2 : Double.NaN);
        ImportancePage page = harness.open(robot, ImportancePage::new, Session.of(PageSessions.gpt2().result()));
        assertEquals(List.of("confidence", "entropy"), page.measureNames(), "what the attention alone gives");
        assertEquals("Compute importance \u2014 about 40 s", robot.lookup("#request-importance").queryButton().getText());
        assertEquals("Compute metrics", robot.lookup("#request-metrics").queryButton().getText(), "no estimate: no cost");
        robot.clickOn("#request-importance");
        robot.clickOn("#request-metrics");
        assertEquals(List.of(SessionAnalysis.Part.IMPORTANCE, SessionAnalysis.Part.METRICS), harness.requested);
    }
}
