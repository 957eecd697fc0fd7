package headwise.app.ui;

import headwise.app.session.Session;
import headwise.app.session.SessionFile;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.core.ModelViewPage;
import headwise.app.ui.vlm.KeysChoice;
import headwise.viz.view.MatrixFigure;
import headwise.viz.view.ModelViewFigure;
import headwise.viz.vlm.ImageAttentionFigure;
import javafx.geometry.Point2D;
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
 * "Keys: by position | by class" in the real window (headless): disabled with its reason on the bundled text model;
 * on the tiny LLaVA the Model view's thumbnails become queries × classes maps whose readout gives the class and share,
 * the Head page (the same choice) shows the head's class map, a click on a query row draws that query's attention over
 * the image, and the choice is saved in the session file. Screenshots at 1280×800:
 * target/screenshots/page-keys-by-class-*.png.
 */
@ExtendWith(ApplicationExtension.class)
class KeysByClassTest {

    private static final Path LLAVA = Path.of("src/test/resources/fixtures/llava_clip_f32");

    private HeadwiseApp app;
    private Stage stage;
    private Path sessionFile;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        sessionFile = Files.createTempDirectory("headwise-keys-by-class-test").resolve("config").resolve("session.json");
        app = HeadwiseAppTest.startApp(stage, sessionFile, new HeadwiseAppTest.FakeChooser());
    }

    @Stop
    void stop() {
        app.stop();
    }

    private ModelViewPage modelView() {
        return (ModelViewPage) app.window().page(ModelViewPage.TITLE);
    }

    private HeadDetailPage headPage() {
        return (HeadDetailPage) app.window().page(HeadDetailPage.TITLE);
    }

    /** A primary click at figure point (x, y) of the figure view's picture. */
    private static void click(FxRobot robot, javafx.scene.Node view, double x, double y) {
        robot.interact(() -> {
            javafx.scene.Node image = view.lookup(".image-view");
            Point2D at = image.localToScene(x, y);
            image.fireEvent(new MouseEvent(MouseEvent.MOUSE_CLICKED, at.getX(), at.getY(), 0, 0, MouseButton.PRIMARY, 1,
                    false, false, false, false, true, false, false, true, false, false, null));
        });
    }

    @Test
    void theChoiceGroupsTheModelViewAndTheHeadPageAndIsSaved(FxRobot robot) throws Exception {
        Session before = waitForIdle(app, 120);
        robot.interact(() -> app.window().selectPage(ModelViewPage.TITLE));
        WaitForAsyncUtils.waitForFxEvents();
        KeysChoice keys = modelView().keysChoice();
        assertTrue(keys.choiceBox().isDisabled(), "a text model's run has no token classes");
        assertTrue(keys.tooltipText().contains("need token classes"), keys.tooltipText());
        assertEquals(KeysChoice.BY_POSITION, keys.choiceBox().getValue());
        robot.interact(() -> app.window().selectPage(headwise.app.ui.vlm.VlmPage.TITLE)); // the VLM page does not pretend either
        WaitForAsyncUtils.waitForFxEvents();
        String notJoined = robot.lookup("#vlm-not-joined").queryAs(javafx.scene.control.Label.class).getText();
        assertTrue(notJoined.contains(app.model().modelName() + " is a text-only model") && notJoined.contains("Open a LLaVA folder"),
                notJoined);

        robot.interact(() -> app.window().open(LLAVA));
        waitFor(60, () -> !app.model().isBusy() && "llava_clip_f32".equals(app.model().modelName()), "the LLaVA loads");
        robot.interact(() -> text(robot).setText("hello world"));
        robot.clickOn("#analyse");
        Session joined = waitForNewSession(app, before, 60);
        robot.interact(() -> {
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(1280);
            stage.setHeight(800);
            app.window().selectPage(ModelViewPage.TITLE);
        });
        assertFalse(keys.choiceBox().isDisabled(), "a joined run has classes");
        robot.interact(() -> keys.choiceBox().setValue(KeysChoice.BY_CLASS));
        waitFor(30, () -> modelView().figure() != null && modelView().figureView().figure() == modelView().figure()
                && modelView().figure().readout(modelView().figure().thumbnailCorner(0, 0)[0] + 1,
                modelView().figure().thumbnailCorner(0, 0)[1] + 1).contains("keys"), "the model view by class");
        assertTrue(app.model().state().selection().keysByClass(), "the choice is the session's");
        ModelViewFigure figure = modelView().figure();
        double[] corner = figure.thumbnailCorner(1, 2);
        int size = figure.thumbnailSize();
        String right = figure.readout(corner[0] + size - 2, corner[1] + size - 2);
        assertTrue(right.startsWith("layer 1, head 2 \u00B7 query " + (joined.tokens().length - 1)) && right.contains(" image keys ")
                && right.contains("%"), right);
        assertTrue(figure.readout(corner[0] + 1, corner[1] + size - 2).contains(" text keys "), "the left column is text");
        assertTrue(modelView().ownFigure() != null && modelView().ownFigure().figure() == figure, "Export… writes the grouped view");
        Thread.sleep(300);
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "page-keys-by-class-model-view-1280x800.png");

        // the Head page follows the same choice: the head's queries × classes map; a row click draws its image overlay
        robot.interact(() -> {
            app.model().select(1, 2);
            app.window().selectPage(HeadDetailPage.TITLE);
        });
        HeadDetailPage head = headPage();
        waitFor(30, () -> head.classMap().isVisible() && head.classMap().getScene() != null && head.classMap().figure() instanceof MatrixFigure,
                "the Head page's class map");
        assertEquals(KeysChoice.BY_CLASS, head.keysChoice().choiceBox().getValue());
        assertTrue(head.heatmap().getScene() == null, "the T \u00D7 T heatmap makes room for the class map");
        MatrixFigure map = (MatrixFigure) head.classMap().figure();
        assertEquals(joined.tokens().length, map.rows());
        assertEquals(2, map.cols(), "text and image");
        int query = joined.tokens().length - 1;
        var row = map.cells(query, query + 1, 1, 2);
        assertTrue(map.readout(row.getCenterX(), row.getCenterY()).contains(", image: "), map.readout(row.getCenterX(), row.getCenterY()));
        click(robot, head.classMap(), row.getCenterX(), row.getCenterY());
        waitFor(30, () -> head.patchOverlay().isVisible() && head.patchOverlay().figure() instanceof ImageAttentionFigure,
                "the clicked query's attention over the image");
        assertEquals(query, app.model().state().selection().query(), "the row is the selected query");
        assertEquals(1, head.classMap().markCount(), "the row is framed");
        // the next row's overlay: over the same image, prepared once for the run and kept (VisionLanguageRun.prepared)
        Object firstOverlay = head.patchOverlay().figure();
        var above = map.cells(query - 1, query, 1, 2);
        click(robot, head.classMap(), above.getCenterX(), above.getCenterY());
        waitFor(30, () -> head.patchOverlay().figure() instanceof ImageAttentionFigure && head.patchOverlay().figure() != firstOverlay,
                "the row above's attention over the image");
        assertEquals(query - 1, app.model().state().selection().query());
        click(robot, head.classMap(), row.getCenterX(), row.getCenterY());
        waitFor(30, () -> app.model().state().selection().query() == query && head.patchOverlay().figure() instanceof ImageAttentionFigure,
                "back on the last row");
        Thread.sleep(300);
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "page-keys-by-class-head-1280x800.png");

        // saved with the session; by position brings the heatmap back
        Path saved = sessionFile.resolveSibling("saved.json");
        robot.interact(() -> app.model().saveSession(saved));
        waitFor(10, () -> Files.exists(saved), "the session file");
        assertTrue(SessionFile.read(saved).selection().keysByClass(), Files.readString(saved));
        robot.interact(() -> head.keysChoice().choiceBox().setValue(KeysChoice.BY_POSITION));
        waitFor(10, () -> head.heatmap().getScene() != null, "the heatmap is back");
        assertFalse(app.model().state().selection().keysByClass());
    }
}
