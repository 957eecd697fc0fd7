package headwise.app.ui.page;

import headwise.app.export.Session;
import headwise.engine.image.PatchGrid;
import headwise.engine.run.AttentionMaps;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.view.MatrixFigure;
import javafx.geometry.Point2D;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.awt.geom.Rectangle2D;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ApplicationExtension.class)
class VitPageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    private static float[] row(AttentionMaps a, int l, int h, int query) {
        float[] out = new float[a.length()];
        System.arraycopy(a.head(l, h), query * a.length(), out, 0, a.length());
        return out;
    }

    @Test
    void overlaysTheClsRowAndAClickedPatchsRow(FxRobot robot) throws Exception {
        Session s = PageSessions.vit();
        AttentionMaps a = s.result().attention();
        PatchGrid grid = s.result().input().grid();
        VitPage page = harness.open(robot, VitPage::new, s);
        assertArrayEquals(row(a, 0, 0, 0), page.shownRow(), "starts on the [CLS] row of layer 0, head 0");
        MatrixFigure distance = (MatrixFigure) page.distanceView().figure();
        assertEquals(a.layers(), distance.rows());
        assertEquals(a.heads(), distance.cols());

        Rectangle2D cell = distance.cells(1, 2, 1, 2);
        robot.clickOn(page.distanceView().localToScreen(cell.getCenterX(), cell.getCenterY()));
        assertArrayEquals(row(a, 1, 1, 0), page.shownRow(), "clicking a head in the distance map shows it");

        // click patch (1, 2) on the overlay panel
        var image = s.result().input().image().seen();
        String title = "layer 1, head 1 \u00b7 [CLS] attention over the patches";
        PatchAttentionOverlay.Layout layout = PatchAttentionOverlay.layout(image.width(), image.height(), grid.rows(), grid.cols(), title);
        int[] centre = layout.overlayCentre(1, 2);
        Point2D onScreen = page.overlayView().localToScreen(centre[0], centre[1]);
        robot.moveTo(onScreen);
        assertEquals(grid.token(1, 2), harness.state.hoveredTokenProperty().get(), "hovering a patch hovers its token");
        assertEquals(2, page.overlayView().markCount(), "outlined on both panels");
        robot.clickOn(onScreen);
        assertEquals(VitPage.Source.PATCH, page.source());
        assertEquals(grid.token(1, 2), page.chosenToken());
        assertArrayEquals(row(a, 1, 1, grid.token(1, 2)), page.shownRow());
        harness.screenshot("page-vit-patch.png");

        robot.interact(() -> harness.state.hideSinksProperty().set(true));
        float sum = 0;
        for (float v : page.shownRow()) {
            sum += v;
        }
        assertEquals(1f, sum, 1e-4f, "hidden sinks: the row is renormalised");

        robot.interact(() -> {
            harness.state.hideSinksProperty().set(false);
            page.select(0, 0);
        });
        robot.interact(() -> robot.lookup("#vit-source").queryAs(javafx.scene.control.ChoiceBox.class).setValue(VitPage.Source.CLS));
        harness.screenshot("page-vit-cls.png");
    }

    @Test
    void aTextModelGetsOneLine(FxRobot robot) throws Exception {
        harness.open(robot, VitPage::new, PageSessions.gpt2());
        assertFalse(robot.lookup(n -> n instanceof javafx.scene.control.Label l && l.getText().contains("needs an image model"))
                .queryAll().isEmpty());
        assertTrue(robot.lookup("#vit-layer").tryQuery().isEmpty() || !robot.lookup("#vit-layer").query().isVisible());
    }
}
