package headwise.app.ui;

import headwise.app.session.Session;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.vlm.VlmPage;
import headwise.viz.view.MatrixFigure;
import javafx.geometry.Point2D;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.geometry.Orientation;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;

import static headwise.app.ui.HeadwiseAppTest.screenshot;
import static headwise.app.ui.HeadwiseAppTest.text;
import static headwise.app.ui.HeadwiseAppTest.waitFor;
import static headwise.app.ui.HeadwiseAppTest.waitForIdle;
import static headwise.app.ui.HeadwiseAppTest.waitForNewSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VLM page in the real window (headless) on the tiny LLaVA with its example image: the class shares and the
 * image overlay render on their own, VAR runs and shows the output change, VHD's map opens the clicked head on the
 * Head page (which then gives the head's attention share per key class), FlowCut draws its curves, the four
 * figures export to a folder, and Cancel stops a job without showing its result. Screenshots at 1280×800 and
 * 1920×1080 go to target/screenshots/page-vlm-*.png.
 */
@ExtendWith(ApplicationExtension.class)
class VlmPageTest {

    private static final Path LLAVA = Path.of("src/test/resources/fixtures/llava_clip_f32");

    private HeadwiseApp app;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path folder = Files.createTempDirectory("headwise-vlm-page-test");
        app = HeadwiseAppTest.startApp(stage, folder.resolve("config").resolve("session.json"), new HeadwiseAppTest.FakeChooser());
    }

    @Stop
    void stop() {
        app.stop();
    }

    private static boolean shown(FigureView view) {
        return view.isVisible() && view.figure() != null && view.getScene() != null;
    }

    private ScrollPane scroll() {
        return (ScrollPane) ((BorderPane) app.window().page(VlmPage.TITLE).view()).getCenter();
    }

    /** Waits for layout and the sharp re-render of the fitting figures. */
    private static void settle() throws InterruptedException {
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(400);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Fires a button of the page (it may lie below the fold of the page's scroll pane). */
    private static void press(FxRobot robot, String id) {
        Button button = robot.lookup(id).queryAs(Button.class);
        assertFalse(button.isDisabled(), id + " is enabled");
        robot.interact(button::fire);
    }

    @Test
    void everySectionRendersVarRunsAVhdClickOpensTheHeadAndCancelStops(FxRobot robot) throws Exception {
        Session before = waitForIdle(app, 120);
        robot.interact(() -> app.window().selectPage(VlmPage.TITLE)); // the bundled text model: the page says what it needs
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup(n -> n instanceof Label l && l.isVisible() && l.getScene() != null
                && l.getText().startsWith("This page needs a vision-language model")).tryQuery().isPresent());
        robot.interact(() -> app.window().open(LLAVA));
        waitFor(60, () -> !app.model().isBusy() && "llava_clip_f32".equals(app.model().modelName()), "the LLaVA loads");
        robot.interact(() -> text(robot).setText("hello world"));
        robot.clickOn("#analyse");
        waitForNewSession(app, before, 60);
        robot.interact(() -> {
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(1280);
            stage.setHeight(800);
            app.window().selectPage(VlmPage.TITLE);
        });
        FigureView shares = robot.lookup("#vlm-shares").queryAs(FigureView.class);
        FigureView overlay = robot.lookup("#vlm-overlay").queryAs(FigureView.class);
        waitFor(60, () -> shown(shares) && shown(overlay), "the class shares and the overlay render on their own");
        Label sinks = robot.lookup("#vlm-sinks").queryAs(Label.class);
        assertTrue(sinks.getText().startsWith("none"), "τ = sqrt(64)/2 finds no sink in the random tiny model: " + sinks.getText());
        // a lower τ finds some: they are listed and marked on the overlay
        robot.interact(() -> robot.lookup("#vlm-tau").queryAs(javafx.scene.control.Spinner.class).getValueFactory().setValue(1.5));
        waitFor(60, () -> sinks.getText().startsWith(" 1. patch("), "visual sinks at τ = 1.5; " + sinks.getText());

        press(robot, "#vlm-var");
        Label varOutcome = robot.lookup("#vlm-var-outcome").queryAs(Label.class);
        waitFor(60, () -> varOutcome.getText().startsWith("KL"), "VAR's output change");
        assertTrue(varOutcome.getText().contains("with VAR"), varOutcome.getText());

        press(robot, "#vlm-vhd");
        FigureView vhd = robot.lookup("#vlm-vhd-map").queryAs(FigureView.class);
        waitFor(60, () -> shown(vhd), "the VHD map");
        assertFalse(robot.lookup("#vlm-top-heads").queryAs(ListView.class).getItems().isEmpty(), "the top heads are listed");

        press(robot, "#vlm-flowcut");
        FigureView pruning = robot.lookup("#vlm-pruning").queryAs(FigureView.class);
        waitFor(60, () -> shown(pruning), "the FlowCut curves");
        for (int[] size : new int[][] {{1280, 800}, {1920, 1080}}) {
            robot.interact(() -> {
                stage.setWidth(size[0]);
                stage.setHeight(size[1]);
                scroll().setVvalue(0);
            });
            settle();
            screenshot(stage, "page-vlm-" + size[0] + "x" + size[1] + ".png");
            robot.interact(() -> scroll().setVvalue(1));
            settle();
            screenshot(stage, "page-vlm-" + size[0] + "x" + size[1] + "-lower.png");
            assertFalse(scroll().lookupAll(".scroll-bar").stream().anyMatch(n -> n instanceof ScrollBar bar
                    && bar.getOrientation() == Orientation.HORIZONTAL && bar.isVisible()), "no sideways scrolling at " + size[0]);
        }

        // every figure on the page, as export --view names them, into a folder
        Path exported = Files.createTempDirectory("headwise-vlm-export");
        robot.interact(() -> ((VlmPage) app.window().page(VlmPage.TITLE)).setFolderChooser(owner -> exported));
        press(robot, "#vlm-export");
        Label exportStatus = robot.lookup("#vlm-status").queryAs(Label.class);
        waitFor(60, () -> exportStatus.getText().startsWith("Exported 4 figures"), "the export; " + exportStatus.getText());
        for (String name : new String[] {"vlm-shares", "vlm-overlay", "vlm-vhd", "vlm-pruning"}) {
            assertTrue(Files.size(exported.resolve(name + ".png")) > 1000 && Files.size(exported.resolve(name + ".svg")) > 1000, name);
        }

        // cancel: a new FlowCut job stopped at once leaves the old curves and says so
        Object curves = pruning.figure();
        robot.interact(() -> {
            robot.lookup("#vlm-flowcut").queryAs(Button.class).fire();
            robot.lookup("#vlm-cancel").queryAs(Button.class).fire();
        });
        Label status = robot.lookup("#vlm-status").queryAs(Label.class);
        assertEquals("Cancelled", status.getText());
        Thread.sleep(500);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(pruning.figure() == curves, "the cancelled job's result is dropped");
        assertTrue(robot.lookup("#vlm-cancel").queryAs(Button.class).isDisabled(), "nothing runs after Cancel");

        // a click on the VHD map selects that head in the whole app and opens the Head page
        MatrixFigure figure = (MatrixFigure) vhd.figure();
        var cell = figure.cells(1, 2, 2, 3);
        robot.interact(() -> {
            javafx.scene.Node image = vhd.lookup(".image-view"); // the figure's picture, in figure coordinates
            Point2D at = image.localToScene(cell.getCenterX(), cell.getCenterY());
            image.fireEvent(new MouseEvent(MouseEvent.MOUSE_CLICKED, at.getX(), at.getY(), 0, 0, MouseButton.PRIMARY, 1,
                    false, false, false, false, true, false, false, true, false, false, null));
        });
        waitFor(10, () -> app.window().selectedPage() instanceof HeadDetailPage, "the Head page opens");
        Session selected = app.model().session();
        assertEquals(1, selected.layer());
        assertEquals(2, selected.head());
        Label keyClasses = robot.lookup("#key-classes").queryAs(Label.class);
        waitFor(10, () -> keyClasses.isVisible() && keyClasses.getText().contains("image"), "the Head page's shares per key class");
        assertTrue(keyClasses.getText().startsWith("keys by class") && keyClasses.getText().contains("text"), keyClasses.getText());
        screenshot(stage, "page-vlm-head-key-classes.png");
    }
}
