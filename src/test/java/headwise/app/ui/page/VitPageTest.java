package headwise.app.ui.page;

import headwise.app.session.Session;
import headwise.engine.image.PatchGrid;
import headwise.engine.run.AttentionMaps;
import headwise.viz.ColorScale;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.view.MatrixFigure;
import headwise.viz.view.VitHeadGridFigure;
import javafx.geometry.Point2D;
import javafx.scene.image.PixelReader;
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
        assertEquals(VitPageModel.Source.PATCH, page.source());
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
        robot.interact(() -> robot.lookup("#vit-source").queryAs(javafx.scene.control.ChoiceBox.class).setValue(VitPageModel.Source.CLS));
        harness.screenshot("page-vit-cls.png");
    }

    /** The colour a grid panel must show at the centre of patch (r, c) for attention {@code value} of max {@code max}. */
    private static int expectedPixel(int[] scaledImage, int panelWidth, java.awt.geom.Rectangle2D cell, java.awt.geom.Rectangle2D panel,
                                     float value, float max) {
        int x = (int) (cell.getCenterX() - panel.getX());
        int y = (int) (cell.getCenterY() - panel.getY());
        return PatchAttentionOverlay.blend(PatchAttentionOverlay.grey(scaledImage[y * panelWidth + x]), ColorScale.argb(value, max),
                PatchAttentionOverlay.OVERLAY_ALPHA);
    }

    /** Every grid panel shows head h's row: the pixel at each patch's centre is that patch's weight in viridis over the image. */
    private static void assertPanelsShow(VitPage page, AttentionMaps a, PatchGrid grid, int layer, int query) {
        VitHeadGridFigure f = (VitHeadGridFigure) page.gridView().figure();
        assertEquals(a.heads(), f.panelCount(), "one panel per head");
        PixelReader screen = page.gridView().image().getPixelReader();
        var seen = page.session.result().input().image().seen();
        var image = PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(), seen.samples());
        Rectangle2D first = f.panelBounds(0);
        int pw = (int) first.getWidth();
        int[] scaled = PatchAttentionOverlay.scaled(image, pw, (int) first.getHeight());
        for (int h = 0; h < a.heads(); h++) {
            float[] expected = row(a, layer, h, query);
            assertArrayEquals(expected, f.row(h), "panel " + h + " holds head " + h + "'s row");
            float max = 0;
            for (int p = 0; p < grid.patches(); p++) {
                max = Math.max(max, expected[grid.specialTokens() + p]);
            }
            for (int r = 0; r < grid.rows(); r++) {
                for (int c = 0; c < grid.cols(); c++) {
                    if (query >= grid.specialTokens() && grid.token(r, c) == query) {
                        continue; // outlined
                    }
                    Rectangle2D cell = f.cellBounds(h, r, c);
                    int want = expectedPixel(scaled, pw, cell, f.panelBounds(h), expected[grid.token(r, c)], max);
                    int got = screen.getArgb((int) cell.getCenterX(), (int) cell.getCenterY());
                    assertEquals(Integer.toHexString(want), Integer.toHexString(got),
                            "panel " + h + ", patch (" + r + "," + c + ") shows head " + h + "'s weight " + expected[grid.token(r, c)]);
                }
            }
        }
    }

    @Test
    void aGridShowsEveryHeadOfTheLayerAndAPanelClickSelectsIt(FxRobot robot) throws Exception {
        Session s = PageSessions.vit();
        AttentionMaps a = s.result().attention();
        PatchGrid grid = s.result().input().grid();
        VitPage page = harness.open(robot, VitPage::new, s);
        assertPanelsShow(page, a, grid, 0, 0);
        VitHeadGridFigure f = (VitHeadGridFigure) page.gridView().figure();
        assertEquals(0, f.selected());
        assertTrue(f.label(2).startsWith("head 2 \u00b7 ") && f.label(2).endsWith(" px"), f.label(2));
        harness.screenshot("page-vit-grid-cls.png");

        // click panel 3: the large view shows head 3, the grid frames it
        Rectangle2D panel3 = f.panelBounds(3);
        robot.clickOn(page.gridView().localToScreen(panel3.getCenterX(), panel3.getCenterY()));
        assertArrayEquals(row(a, 0, 3, 0), page.shownRow(), "clicking a panel shows its head large");
        assertEquals(3, ((VitHeadGridFigure) page.gridView().figure()).selected());

        // another layer: every panel follows it
        robot.interact(() -> page.select(2, 1));
        assertPanelsShow(page, a, grid, 2, 0);
        assertEquals(1, ((VitHeadGridFigure) page.gridView().figure()).selected());

        // hovering a patch in a panel hovers its token and marks it in every panel
        f = (VitHeadGridFigure) page.gridView().figure();
        Rectangle2D cell = f.cellBounds(2, 1, 0);
        robot.moveTo(page.gridView().localToScreen(cell.getCenterX(), cell.getCenterY()));
        assertEquals(grid.token(1, 0), harness.state.hoveredTokenProperty().get());
        assertEquals(a.heads(), page.gridView().markCount());

        // choose a patch in the large view: every panel shows that patch's row
        var seen = s.result().input().image().seen();
        String title = "layer 2, head 1 \u00b7 [CLS] attention over the patches";
        int[] centre = PatchAttentionOverlay.layout(seen.width(), seen.height(), grid.rows(), grid.cols(), title).overlayCentre(2, 3);
        robot.clickOn(page.overlayView().localToScreen(centre[0], centre[1]));
        assertEquals(VitPageModel.Source.PATCH, page.source());
        assertEquals(grid.token(2, 3), page.chosenToken());
        assertPanelsShow(page, a, grid, 2, grid.token(2, 3));
        harness.screenshot("page-vit-grid-patch.png");

        // rollout is one map for the model: one panel, which says so, and no head selected
        robot.interact(() -> robot.lookup("#vit-source").queryAs(javafx.scene.control.ChoiceBox.class).setValue(VitPageModel.Source.ROLLOUT));
        VitHeadGridFigure rollout = (VitHeadGridFigure) page.gridView().figure();
        assertEquals(1, rollout.panelCount());
        assertEquals(-1, rollout.selected());
        assertArrayEquals(page.shownRow(), rollout.row(0));
        assertTrue(rollout.label(0).contains("rollout"));
        harness.screenshot("page-vit-grid-rollout.png");
    }

    @Test
    void aTextModelGetsOneLine(FxRobot robot) throws Exception {
        harness.open(robot, VitPage::new, PageSessions.gpt2());
        assertFalse(robot.lookup(n -> n instanceof javafx.scene.control.Label l && l.getText().contains("needs an image model"))
                .queryAll().isEmpty());
        assertTrue(robot.lookup("#vit-layer").tryQuery().isEmpty() || !robot.lookup("#vit-layer").query().isVisible());
    }
}
