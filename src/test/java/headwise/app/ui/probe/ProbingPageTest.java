package headwise.app.ui.probe;

import headwise.app.session.SessionState;
import headwise.app.ui.model.AppModel;
import headwise.engine.Fixtures;
import headwise.engine.analysis.probe.ProbeResult;
import headwise.viz.export.FigureFormat;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Probing page on the hand-built probing model (fixtures/probe_gpt2, whose block 1 copies the first token to the
 * last): a run in the background with attentive probes, noise and a BF16 copy draws every curve on one chart with the
 * depth marked; a click on the head map selects the head in the app; figures and CSV export; a run can be cancelled.
 * Screenshots at 1280×800 and 1920×1080 go to target/screenshots/.
 */
@ExtendWith(ApplicationExtension.class)
class ProbingPageTest {

    private static final Path MODEL = Fixtures.model("probe_gpt2");
    private Stage stage;

    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    @Test
    void runsDrawsSelectsExportsAndCancels(FxRobot robot) throws Exception {
        AppModel app = fx(() -> new AppModel(null));
        Files files = new Files(MODEL.resolve("data").resolve("late.jsonl"), dir);
        try {
            robot.interact(() -> app.start(SessionState.defaults().withModel(MODEL.toString()).withText("1, 2"), null));
            waitFor(60, () -> !app.isBusy() && app.session() != null, "probe_gpt2 runs", app);
            ProbingPageModel model = new ProbingPageModel(app);
            ProbingPage page = fx(() -> {
                ProbingPage p = new ProbingPage(model, files);
                stage.setScene(new Scene((javafx.scene.Parent) p.view(), 1280, 800));
                stage.show();
                return p;
            });
            robot.clickOn("#probe-choose");
            assertEquals("late.jsonl", robot.lookup("#probe-file").queryLabeled().getText());
            robot.interact(() -> {
                model.queriesProperty().set(4);
                model.noiseProperty().set(0.5);
                model.lowPrecisionProperty().set("BF16");
                model.attentionExampleProperty().set(7);
            });
            robot.clickOn("#probe-run");
            waitFor(120, () -> model.resultProperty().get() != null && !model.busyProperty().get(), "the probes", app);
            ProbeResult result = model.resultProperty().get();
            assertEquals(1, result.depth(), "block 1 copies the first token");
            assertEquals(0, result.attentive().depth(), "the attentive probe finds the first token's embedding");
            assertEquals(2, result.variants().size());
            assertEquals(7, result.attention().example(), "the example asked for");
            assertEquals(8, result.attention().row());
            assertTrue(model.statusProperty().get().contains("depth 1"), model.statusProperty().get());

            XYPlot plot = (XYPlot) page.chartView().getChart().getPlot();
            assertEquals(6, plot.getDataset().getSeriesCount(), "linear and attentive, clean, noisy and BF16 on one chart");
            assertEquals(2, plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).size(), "both depths marked");
            String tip = plot.getRenderer().getDefaultToolTipGenerator().generateToolTip(plot.getDataset(), 0, 1);
            assertEquals(plot.getDataset().getSeriesKey(0) + ": block " + Math.round(plot.getDataset().getXValue(0, 1)), tip.substring(0, tip.indexOf(',')),
                    "a point's tooltip names its curve, block and score: " + tip);
            robot.interact(() -> model.metricProperty().set(ProbingPageModel.Metric.AUC));
            assertTrue(page.chartView().getChart().getXYPlot().getRangeAxis().getLabel().startsWith("AUC"));
            assertTrue(page.attentionView().isVisible());
            assertEquals(0, model.attentionBlockProperty().get(), "the attentive probe's best block first");
            robot.interact(() -> model.attentionBlockProperty().set(2));
            assertTrue(page.attentionView().figure() instanceof headwise.viz.view.MatrixFigure);

            // a click on head 1.0 of the map selects it
            headwise.viz.view.MatrixFigure heads = (headwise.viz.view.MatrixFigure) page.headsView().figure();
            java.awt.geom.Rectangle2D cell = heads.cells(1, 2, 0, 1);
            Point2D onScreen = fx(() -> page.headsView().localToScreen(cell.getCenterX() * page.headsView().shownScale(),
                    cell.getCenterY() * page.headsView().shownScale()));
            robot.clickOn(onScreen);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(1, app.state().selection().layer());
            assertEquals(0, app.state().selection().head());
            assertEquals(1, page.headsView().markCount());

            screenshot(page, 1280, 800, "page-probing-1280x800.png");
            screenshot(page, 1920, 1080, "page-probing-1920x1080.png");

            // the window's Export… on this tab writes the page's own figure (what "Export figure…" writes)
            var own = fx(page::ownFigure);
            assertNotNull(own.figure(), own.missing());
            assertTrue(own.figure() instanceof headwise.viz.view.ProbeFigure, own.figure().getClass().getName());
            assertEquals(fx(model::figure).width(), own.figure().width());
            for (FigureFormat format : FigureFormat.values()) {
                files.figure = new ProbeFiles.FigureTarget(dir.resolve("probe." + format.extension()), format);
                robot.clickOn("#probe-export-figure");
                waitFor(60, () -> java.nio.file.Files.isRegularFile(files.figure.file()) && !model.busyProperty().get(), "the " + format, app);
                assertTrue(java.nio.file.Files.size(files.figure.file()) > 1000);
            }
            robot.clickOn("#probe-export-csv");
            waitFor(30, () -> java.nio.file.Files.isRegularFile(files.csv) && !model.busyProperty().get(), "the CSV", app);
            List<String> csv = java.nio.file.Files.readAllLines(files.csv);
            assertEquals("probe,variant,layer,head,accuracy,f1,auc", csv.get(0));
            assertEquals(1 + 6 * 4 + 3 * 2, csv.size(), "6 curves of embedding + 3 blocks, 3×2 heads");
            assertTrue(csv.contains("linear,,1,,1.0,1.0,1.0"), csv.toString());

            // cancel: the run stops, the previous result stays
            robot.clickOn("#probe-run");
            assertTrue(fx(() -> model.busyProperty().get()));
            robot.clickOn("#probe-cancel");
            waitFor(10, () -> !model.busyProperty().get(), "the cancelled run stops", app);
            assertEquals("Cancelled", model.statusProperty().get());
            Thread.sleep(500);
            WaitForAsyncUtils.waitForFxEvents();
            assertSame(result, model.resultProperty().get(), "a cancelled run changes nothing");
        } finally {
            robot.interact(app::close);
        }
    }

    @Test
    void badFileIsOneLineInTheStatus(FxRobot robot) throws Exception {
        AppModel app = fx(() -> new AppModel(null));
        Path bad = dir.resolve("one-class.jsonl");
        java.nio.file.Files.writeString(bad, "{\"ids\": [1, 2], \"label\": \"a\"}\n".repeat(30));
        try {
            robot.interact(() -> app.start(SessionState.defaults().withModel(MODEL.toString()).withText("1, 2"), null));
            waitFor(60, () -> !app.isBusy() && app.session() != null, "probe_gpt2 runs", app);
            ProbingPageModel model = new ProbingPageModel(app);
            robot.interact(() -> {
                model.dataProperty().set(bad);
                model.run();
            });
            waitFor(30, () -> !model.busyProperty().get() && model.statusProperty().get().contains("label"), "the error", app);
            String status = model.statusProperty().get();
            assertTrue(status.contains("one-class.jsonl") && status.contains("every example has the label 'a'"), status);
            assertEquals(1, status.lines().count());
        } finally {
            robot.interact(app::close);
        }
    }

    private void screenshot(ProbingPage page, int width, int height, String name) throws Exception {
        Path shot = Path.of("target", "screenshots", name);
        java.nio.file.Files.createDirectories(shot.getParent());
        fx(() -> {
            stage.setWidth(width);
            stage.setHeight(height);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(300);
        WaitForAsyncUtils.waitForFxEvents();
        fx(() -> {
            ImageIO.write(SwingFXUtils.fromFXImage(stage.getScene().getRoot().snapshot(null, null), null), "png", shot.toFile());
            return null;
        });
        assertNotNull(page.chartView().getChart());
        List<javafx.scene.Node> sideways = fx(() -> page.view().lookupAll(".scroll-bar").stream()
                .filter(n -> n instanceof javafx.scene.control.ScrollBar bar && bar.getOrientation() == javafx.geometry.Orientation.HORIZONTAL
                        && bar.isVisible()).toList());
        assertTrue(sideways.isEmpty(), name + ": no horizontal scroll bar");
        double chartRight = fx(() -> page.chartView().localToScene(page.chartView().getLayoutBounds()).getMaxX());
        assertTrue(chartRight <= width, name + ": the chart fits the width, ends at " + chartRight);
        assertTrue(fx(() -> page.chartView().getWidth()) > 0.8 * width, name + ": the chart takes the width it is given");
    }

    private static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(20, TimeUnit.SECONDS);
    }

    private static void waitFor(int seconds, BooleanSupplier condition, String what, AppModel model) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (WaitForAsyncUtils.asyncFx(condition::getAsBoolean).get(10, TimeUnit.SECONDS)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out waiting: " + what + "; status: " + model.statusProperty().get());
    }

    /** The page's dialogs, answered by the test. */
    private static final class Files implements ProbeFiles {
        final Path data;
        final Path csv;
        FigureTarget figure;

        Files(Path data, Path dir) {
            this.data = data;
            this.csv = dir.resolve("probe.csv");
        }

        @Override
        public Path dataFile(Window owner) {
            return data;
        }

        @Override
        public FigureTarget figureFile(Window owner) {
            return figure;
        }

        @Override
        public Path csvFile(Window owner) {
            return csv;
        }
    }
}
