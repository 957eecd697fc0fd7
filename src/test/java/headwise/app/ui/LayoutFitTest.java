package headwise.app.ui;

import headwise.app.export.PartCosts;
import headwise.app.session.Session;
import headwise.engine.load.BundledModels;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.Page;
import javafx.geometry.Bounds;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page of the real window at 1280×800 and 1920×1080 on the bundled MiniLM with every analysis computed: no
 * figure, chart or table reaches outside its page, no horizontal scroll bar shows, and fitting figures grow with the
 * window. Screenshots of every page at both sizes go to target/screenshots/layout-*.png (looked at by hand).
 */
@ExtendWith(ApplicationExtension.class)
class LayoutFitTest {

    private static final String[] PAGES = {"Model view", "Head", "Interventions", "Flow", "Importance", "Sinks", "Layers", "ViT", "Compare"};

    private HeadwiseApp app;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path folder = Files.createTempDirectory("headwise-layout-test");
        System.setProperty(PartCosts.CHEAP_SECONDS_PROPERTY, "120"); // every analysis, whatever the machine's load
        app = HeadwiseAppTest.startApp(stage, folder.resolve("session.json"), new HeadwiseAppTest.FakeChooser());
    }

    @Stop
    void stop() {
        System.clearProperty(PartCosts.CHEAP_SECONDS_PROPERTY);
        app.stop();
    }

    @Test
    void everyPageFitsAt1280x800And1920x1080(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> {
            Session s = app.model().session();
            return !app.model().isBusy() && s != null && s.metrics() != null && s.flow() != null && s.gradient() != null;
        });
        robot.interact(() -> app.model().select(1, 3));
        List<String> problems = new ArrayList<>();
        List<Double> flowScales = new ArrayList<>();
        for (int[] size : new int[][] {{1280, 800}, {1920, 1080}}) {
            robot.interact(() -> {
                stage.setX(0);
                stage.setY(0);
                stage.setWidth(size[0]);
                stage.setHeight(size[1]);
            });
            for (String title : PAGES) {
                robot.interact(() -> app.window().selectPage(title));
                WaitForAsyncUtils.waitForFxEvents();
                Thread.sleep(400); // background reads and the sharp re-render after a resize
                WaitForAsyncUtils.waitForFxEvents();
                Page page = app.window().page(title);
                robot.interact(() -> problems.addAll(misfits(page, size[0] + "x" + size[1])));
                if (title.equals("Flow")) {
                    flowScales.add(descendants(page.view()).stream().filter(n -> n instanceof FigureView && visible(n))
                            .mapToDouble(n -> ((FigureView) n).shownScale()).max().orElse(0));
                }
                HeadwiseAppTest.screenshot(stage, "layout-" + size[0] + "x" + size[1] + "-"
                        + title.toLowerCase(Locale.ROOT).replace(' ', '-') + ".png");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(flowScales.get(1) > flowScales.get(0) * 1.2, "the flow graph grows with the window: " + flowScales);
    }

    /**
     * The Relevance page at both sizes on the bundled decoder (text) and ViT (image), every method and the
     * faithfulness chart shown: nothing outside the page, no sideways scrolling, the maps grow with the window.
     * Screenshots: target/screenshots/layout-*-relevance-*.png.
     */
    @Test
    void relevancePageFitsAt1280x800And1920x1080(FxRobot robot) throws Exception {
        List<String> problems = new ArrayList<>();
        for (String model : new String[] {BundledModels.DECODER_SAMPLE, BundledModels.VIT_SAMPLE}) {
            robot.interact(() -> app.model().openBundled(model));
            WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> app.model().session() != null && !app.model().isBusy()
                    && app.model().session().result().modelName().contains(model));
            robot.interact(() -> app.window().selectPage("Relevance"));
            Page page = app.window().page("Relevance");
            WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> shownFigures(page).size() == 1);
            robot.interact(() -> robot.lookup("#relevance-faithfulness").queryButton().fire());
            WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> shownFigures(page).size() == 2);
            List<Double> scales = new ArrayList<>();
            for (int[] size : new int[][] {{1280, 800}, {1920, 1080}}) {
                robot.interact(() -> {
                    stage.setX(0);
                    stage.setY(0);
                    stage.setWidth(size[0]);
                    stage.setHeight(size[1]);
                });
                WaitForAsyncUtils.waitForFxEvents();
                Thread.sleep(400); // the sharp re-render after a resize
                WaitForAsyncUtils.waitForFxEvents();
                robot.interact(() -> problems.addAll(misfits(page, size[0] + "x" + size[1] + " " + model)));
                scales.add(WaitForAsyncUtils.asyncFx(() -> shownFigures(page).get(0).shownScale()).get(10, TimeUnit.SECONDS));
                HeadwiseAppTest.screenshot(stage, "layout-" + size[0] + "x" + size[1] + "-relevance-" + model + ".png");
            }
            assertTrue(scales.get(1) > scales.get(0) * 1.1, model + ": the maps grow with the window: " + scales);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static List<FigureView> shownFigures(Page page) {
        return descendants(page.view()).stream().filter(n -> n instanceof FigureView f && visible(n) && f.figure() != null)
                .map(n -> (FigureView) n).toList();
    }

    /** What reaches outside {@code page} or scrolls sideways, one line each. */
    private static List<String> misfits(Page page, String size) {
        List<String> out = new ArrayList<>();
        Node root = page.view();
        Bounds area = root.localToScene(root.getLayoutBounds());
        for (Node n : descendants(root)) {
            if (!visible(n) || n.getScene() == null) {
                continue;
            }
            if (n instanceof ScrollBar bar && bar.getOrientation() == Orientation.HORIZONTAL && visible(bar)) {
                out.add(size + " " + page.title() + ": a horizontal scroll bar (" + bar.getParent().getClass().getSimpleName() + ")");
            }
            if (n instanceof FigureView || n instanceof ChartViewer || n instanceof TableView<?>) {
                Bounds b = n.localToScene(n.getLayoutBounds());
                boolean scrolls = insideScrollPane(n, root);
                if (b.getMinX() < area.getMinX() - 1 || b.getMaxX() > area.getMaxX() + 1
                        || !scrolls && (b.getMinY() < area.getMinY() - 1 || b.getMaxY() > area.getMaxY() + 1)) {
                    out.add(String.format(Locale.ROOT, "%s %s: %s %s [%.0f..%.0f]x[%.0f..%.0f] outside the page [%.0f..%.0f]x[%.0f..%.0f]",
                            size, page.title(), n.getClass().getSimpleName(), n.getId(), b.getMinX(), b.getMaxX(), b.getMinY(),
                            b.getMaxY(), area.getMinX(), area.getMaxX(), area.getMinY(), area.getMaxY()));
                }
            }
        }
        return out;
    }

    /** Shown: it and every parent visible (a scroll pane hides the bars it does not need). */
    private static boolean visible(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private static boolean insideScrollPane(Node n, Node root) {
        for (Parent p = n.getParent(); p != null && p != root; p = p.getParent()) {
            if (p instanceof ScrollPane) {
                return true;
            }
        }
        return false;
    }

    private static List<Node> descendants(Node root) {
        List<Node> out = new ArrayList<>();
        out.add(root);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof Parent p) {
                out.addAll(p.getChildrenUnmodifiable());
            }
        }
        return out;
    }
}
