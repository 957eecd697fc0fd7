package headwise.app.ui;

import headwise.app.export.PartCosts;
import headwise.app.session.Session;
import headwise.app.session.Theme;
import headwise.engine.load.BundledModels;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.Page;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Bounds;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableView;
import javafx.scene.transform.Transform;
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
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page of the real window at 1280×800 and 1920×1080 on the bundled MiniLM with every analysis computed, in the
 * light and the dark theme: no figure, chart or table reaches outside its page, no horizontal scroll bar shows,
 * fitting figures grow with the window and the model view fills its page. Then the same at 200%: Monocle has no
 * scaled screen, so the window's render scale is set to 2 (what a 200% screen gives it) at the logical sizes such a
 * screen has (2560×1600 → 1280×800, 3840×2160 → 1920×1080); the layout must fit the same and every figure must be
 * rendered with two pixels per unit, so text stays sharp. Screenshots of every page go to
 * target/screenshots/layout-{light,dark,200pct}-WxH-page.png (looked at by hand; the 200% ones at 2× pixels).
 */
@ExtendWith(ApplicationExtension.class)
class LayoutFitTest {

    private static final String[] PAGES = {"Model view", "Head", "Interventions", "Flow", "Importance", "Sinks", "Layers", "ViT", "Compare", "Relevance"};

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
    void everyPageFitsAt1280x800And1920x1080LightDarkAndAt200Percent(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> {
            Session s = app.model().session();
            return !app.model().isBusy() && s != null && s.metrics() != null && s.flow() != null && s.gradient() != null;
        });
        robot.interact(() -> app.model().select(1, 3));
        List<String> problems = new ArrayList<>();
        List<Double> flowScales = new ArrayList<>();
        for (Theme theme : Theme.values()) {
            robot.interact(() -> app.model().setTheme(theme));
            for (int[] size : SIZES) {
                resize(robot, size);
                for (String title : PAGES) {
                    Page page = visit(robot, title);
                    String where = theme.key() + " " + size[0] + "x" + size[1];
                    robot.interact(() -> problems.addAll(misfits(page, where)));
                    if (title.equals("Flow") && theme == Theme.LIGHT) {
                        flowScales.add(figureViews(page).stream().mapToDouble(FigureView::shownScale).max().orElse(0));
                    }
                    if (title.equals("Interventions")) {
                        robot.interact(() -> problems.addAll(legibleAblationGrid(page, where)));
                    }
                    if (title.equals("Model view") && size[0] == 1920) {
                        robot.interact(() -> problems.addAll(fills(page, where)));
                    }
                    HeadwiseAppTest.screenshot(stage, "layout-" + theme.key() + "-" + size[0] + "x" + size[1] + "-" + slug(title) + ".png");
                }
            }
        }
        robot.interact(() -> app.model().setTheme(Theme.LIGHT));
        robot.interact(() -> {
            stage.setRenderScaleX(2);
            stage.setRenderScaleY(2);
        });
        for (int[] size : SIZES) {
            resize(robot, size);
            for (String title : PAGES) {
                Page page = visit(robot, title);
                String where = "200% " + size[0] + "x" + size[1];
                robot.interact(() -> problems.addAll(misfits(page, where)));
                for (FigureView v : figureViews(page)) {
                    double wanted = 2 * v.shownScale();
                    if (Math.abs(v.pixelsPerUnit() - wanted) > 0.05 * wanted) {
                        problems.add(where + " " + title + ": figure " + v.getId() + " rendered at " + v.pixelsPerUnit()
                                + " pixels per unit, not " + wanted);
                    }
                }
                screenshot2x("layout-200pct-" + size[0] + "x" + size[1] + "-" + slug(title) + ".png");
            }
        }
        robot.interact(() -> {
            stage.setRenderScaleX(1);
            stage.setRenderScaleY(1);
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(flowScales.get(1) > flowScales.get(0) * 1.2, "the flow graph grows with the window: " + flowScales);
    }

    private static final int[][] SIZES = {{1280, 800}, {1920, 1080}};

    private void resize(FxRobot robot, int[] size) {
        robot.interact(() -> {
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(size[0]);
            stage.setHeight(size[1]);
        });
    }

    private Page visit(FxRobot robot, String title) throws InterruptedException {
        robot.interact(() -> app.window().selectPage(title));
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(400); // background reads and the sharp re-render after a resize
        WaitForAsyncUtils.waitForFxEvents();
        return app.window().page(title);
    }

    private static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    private static List<FigureView> figureViews(Page page) {
        return descendants(page.view()).stream().filter(n -> n instanceof FigureView && visible(n)).map(n -> (FigureView) n).toList();
    }

    /** The model view's grid takes the page's width or its height (within 10%): no wide empty margins. */
    private static List<String> fills(Page page, String size) {
        List<String> out = new ArrayList<>();
        Bounds area = page.view().localToScene(page.view().getLayoutBounds());
        for (FigureView v : figureViews(page)) {
            double w = v.figure().width() * v.shownScale();
            double h = v.figure().height() * v.shownScale();
            Bounds room = v.localToScene(v.getLayoutBounds());
            if (w < 0.9 * Math.min(room.getWidth(), area.getWidth()) && h < 0.9 * room.getHeight()) {
                out.add(String.format(Locale.ROOT, "%s %s: the figure is %.0fx%.0f in a %.0fx%.0f room", size, page.title(), w, h,
                        room.getWidth(), room.getHeight()));
            }
        }
        if (figureViews(page).isEmpty()) {
            out.add(size + " " + page.title() + ": no figure shown");
        }
        return out;
    }

    /** The ablation grid's buttons are big enough to aim at (at least 30 px wide for MiniLM's 12 heads). */
    private static List<String> legibleAblationGrid(Page page, String size) {
        Node first = page.view().lookup("#ablate-0-0");
        Node last = page.view().lookup("#ablate-0-11");
        List<String> out = new ArrayList<>();
        if (first == null || last == null) {
            out.add(size + " Interventions: no ablation grid");
        } else if (first.getLayoutBounds().getWidth() < 30 || Math.abs(last.getLayoutBounds().getWidth() - first.getLayoutBounds().getWidth()) > 0.5) {
            out.add(String.format(Locale.ROOT, "%s Interventions: head buttons %.0f and %.0f px wide", size,
                    first.getLayoutBounds().getWidth(), last.getLayoutBounds().getWidth()));
        }
        return out;
    }

    /** The window as a 200% screen shows it: twice the pixels. */
    private void screenshot2x(String name) throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "screenshots"));
        var image = WaitForAsyncUtils.asyncFx(() -> {
            SnapshotParameters params = new SnapshotParameters();
            params.setTransform(Transform.scale(2, 2));
            return stage.getScene().getRoot().snapshot(params, null);
        }).get(20, TimeUnit.SECONDS);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", folder.resolve(name).toFile());
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
            for (int[] size : SIZES) {
                resize(robot, size);
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
