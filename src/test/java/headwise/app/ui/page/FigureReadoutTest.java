package headwise.app.ui.page;

import headwise.app.export.Exporter;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.widget.HeatmapView;
import headwise.engine.run.AttentionMaps;
import headwise.viz.draw.BlockFigure;
import headwise.viz.draw.BlockGrid;
import headwise.viz.draw.MatrixBlock;
import headwise.viz.draw.ValueScale;
import headwise.viz.view.HeadHeatmapFigure;
import headwise.viz.view.MatrixFigure;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.awt.geom.Rectangle2D;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The value under the cursor: a tooltip over a figure's cell and over the head heatmap says which cell and its value;
 * and a view colours a kind of number with the same scale as its export.
 */
@ExtendWith(ApplicationExtension.class)
class FigureReadoutTest {

    private PageHarness harness;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        harness = new PageHarness(stage);
    }

    @Test
    void aHeadMapsTooltipGivesLayerHeadAndValue(FxRobot robot) throws Exception {
        Session s = PageSessions.gpt2();
        ImportancePage page = harness.open(robot, ImportancePage::new, s);
        FigureView entropy = page.measureViews().get(page.measureNames().indexOf("entropy"));
        Rectangle2D cell = ((MatrixFigure) entropy.figure()).cells(2, 3, 1, 2);
        Point2D onScreen = entropy.localToScreen(cell.getCenterX(), cell.getCenterY());
        // a fresh headless screen's first move only enters the window: move within the figure first, then onto the cell
        robot.interact(() -> {
            stage.toFront();
            stage.requestFocus(); // JavaFX shows tooltips only in a focused window
        });
        robot.moveTo(onScreen.add(-2, -2));
        robot.moveTo(onScreen);
        // the text the cursor's position gives the tooltip (whether Monocle's popup shows within the wait varies with
        // the machine, so the test reads what the mouse put there rather than waiting for the popup window)
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> entropy.readout().getText() != null
                && entropy.readout().getText().startsWith("layer 2, head 1: "));
        String text = entropy.readout().getText();
        assertTrue(text.startsWith("layer 2, head 1: "), text);
        double expected = ImportancePage.measures(s).stream().filter(m -> m.name().equals("entropy")).findFirst().orElseThrow().scores()[2][1];
        String[] valueAndType = text.substring(text.indexOf(": ") + 2).split(" \u00B7 ");
        assertEquals(expected, Double.parseDouble(valueAndType[0]), Math.abs(expected) * 5e-4);
        String type = headwise.app.export.HeadCategories.detectedTypes(s)[2][1];
        assertEquals(type == null ? 1 : 2, valueAndType.length, "the head's type, when it has one, follows: " + text);
        // off the cells (the title) there is nothing to read
        robot.moveTo(entropy.localToScreen(4, 4));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !entropy.readout().isShowing());
    }

    @Test
    void theHeatmapsTooltipGivesQueryKeyAndWeight(FxRobot robot) throws Exception {
        Session s = PageSessions.minilm();
        AttentionMaps a = s.result().attention();
        int t = a.length();
        float[] head = a.head(2, 5);
        HeatmapView heatmap = new HeatmapView();
        robot.interact(() -> {
            stage.setScene(new Scene(heatmap, 700, 600));
            stage.show();
            heatmap.setMatrix(head, t, s.tokens());
        });
        WaitForAsyncUtils.waitForFxEvents();
        double[] centre = heatmap.centreOf(2, 3);
        robot.moveTo(heatmap.localToScreen(centre[0], centre[1]));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> heatmap.readout().isShowing());
        String text = heatmap.readout().getText();
        assertTrue(text.startsWith("query 2 \u201C" + s.tokens()[2] + "\u201D \u2192 key 3 \u201C" + s.tokens()[3] + "\u201D: "), text);
        assertEquals(head[2 * t + 3], Double.parseDouble(text.substring(text.lastIndexOf(' ') + 1)), 5e-4 * head[2 * t + 3] + 1e-7);

        // the same kind of number, the same colours: the view's scale is the exported heatmap's, linear and log
        for (boolean log : new boolean[] {false, true}) {
            robot.interact(() -> heatmap.setLogScale(log));
            ValueScale exported = new HeadHeatmapFigure(head, t, s.tokens(), "", log).panel().scale();
            assertEquals(exported, heatmap.scale(), log ? "log" : "linear");
        }
    }

    @Test
    void importanceMapsUseTheExportsScales(FxRobot robot) {
        Session s = PageSessions.gpt2();
        ImportancePage page = harness.open(robot, ImportancePage::new, s);
        Map<String, ValueScale> shown = new HashMap<>();
        var measures = ImportancePage.measures(s);
        for (int i = 0; i < measures.size(); i++) {
            shown.put(measures.get(i).title(), ((MatrixFigure) page.measureViews().get(i).figure()).panel().scale());
        }
        BlockFigure export = (BlockFigure) Exporter.figure(ViewKind.IMPORTANCE, s);
        int compared = 0;
        boolean signed = false;
        for (var block : ((BlockGrid) export.body()).blocks()) {
            MatrixBlock m = (MatrixBlock) block;
            if (shown.containsKey(m.heading())) {
                assertEquals(m.panel().scale(), shown.get(m.heading()), m.heading());
                signed |= m.panel().scale().kind() == ValueScale.Kind.DIVERGING;
                compared++;
            }
        }
        assertTrue(compared >= 3, "measures compared: " + compared + " of " + shown.keySet());
        assertTrue(signed, "the change in loss takes both signs: a diverging scale in view and export");
        MatrixFigure rho = (MatrixFigure) page.agreementView().figure();
        assertNotNull(rho);
        assertEquals(ValueScale.Kind.DIVERGING, rho.panel().scale().kind(), "correlations are signed");
        assertFalse(shown.isEmpty());
    }
}
