package headwise.app.ui;

import headwise.app.export.PartCosts;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.core.ModelViewPage;
import headwise.viz.export.FigureFormat;
import javafx.scene.input.KeyCode;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ctrl+Enter analyses, Ctrl+E exports the page, and the arrow keys move the selected head on the model view and head page. */
@ExtendWith(ApplicationExtension.class)
class KeyboardShortcutsTest {

    private HeadwiseApp app;
    private final HeadwiseAppTest.FakeChooser chooser = new HeadwiseAppTest.FakeChooser();
    private Path folder;

    @Start
    void start(Stage stage) throws Exception {
        folder = Files.createTempDirectory("headwise-keys-test");
        System.setProperty(PartCosts.CHEAP_SECONDS_PROPERTY, "0"); // only the runs: the keys are what is tested
        app = HeadwiseAppTest.startApp(stage, folder.resolve("session.json"), chooser);
    }

    @Stop
    void stop() {
        System.clearProperty(PartCosts.CHEAP_SECONDS_PROPERTY);
        app.stop();
    }

    @Test
    void keysAnalyseExportAndMoveTheHead(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !app.model().isBusy() && app.model().session() != null);
        Session first = app.model().session();

        robot.clickOn("#text");
        robot.interact(() -> robot.lookup("#text").queryAs(javafx.scene.control.TextField.class).setText("Keys run this."));
        robot.press(KeyCode.CONTROL, KeyCode.ENTER).release(KeyCode.ENTER, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !app.model().isBusy() && app.model().session().result() != first.result());
        assertNotSame(first.result(), app.model().session().result());
        assertEquals("Keys run this.", app.model().state().text());

        for (String page : new String[] {ModelViewPage.TITLE, HeadDetailPage.TITLE}) {
            robot.interact(() -> {
                app.window().selectPage(page);
                app.model().select(2, 5);
                app.window().root().requestFocus();
            });
            robot.type(KeyCode.RIGHT).type(KeyCode.DOWN);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(3, app.model().session().layer(), page);
            assertEquals(6, app.model().session().head(), page);
            assertEquals(page, app.window().selectedPage().title(), "the arrows move the head, not the tabs");
            robot.type(KeyCode.UP).type(KeyCode.UP).type(KeyCode.LEFT);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(1, app.model().session().layer(), page);
            assertEquals(5, app.model().session().head(), page);
            robot.interact(() -> app.model().select(0, 0));
            robot.type(KeyCode.UP).type(KeyCode.LEFT);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(0, app.model().session().layer(), "stays inside the model");
            assertEquals(0, app.model().session().head(), "stays inside the model");
        }

        Path png = folder.resolve("head.png");
        chooser.export = new Chooser.ExportTarget(png, FigureFormat.PNG, 1);
        robot.press(KeyCode.CONTROL, KeyCode.E).release(KeyCode.E, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> Files.exists(png) && !app.model().isBusy());
        assertEquals(ViewKind.HEATMAP, app.window().selectedPage().exportView());
    }

    @Test
    void ctrlZAndCtrlYUndoAndRedoInterventionsAndSelections(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !app.model().isBusy() && app.model().session() != null);
        robot.interact(() -> {
            app.window().selectPage(ModelViewPage.TITLE);
            app.model().select(1, 2);
            app.model().setPlan(app.model().state().plan().withHead(0, 3, true));
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !app.model().isBusy());
        assertEquals("Undo switch off L0 H3", ((javafx.scene.control.MenuItem) menuItem("menu-undo")).getText());
        robot.interact(() -> app.window().root().requestFocus());

        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !app.model().isBusy());
        assertTrue(app.model().state().plan().isEmpty(), "the head is on again");
        assertEquals(1, app.model().session().layer());
        assertEquals("Redo switch off L0 H3", menuItem("menu-redo").getText());

        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0, app.model().state().selection().layer(), "the selection is undone too");
        assertEquals(-1, app.model().state().selection().head());

        robot.press(KeyCode.CONTROL, KeyCode.Y).release(KeyCode.Y, KeyCode.CONTROL);
        robot.press(KeyCode.CONTROL, KeyCode.Y).release(KeyCode.Y, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !app.model().isBusy()
                && app.model().session().comparison() != null);
        assertTrue(app.model().state().plan().isAblated(0, 3), "redone");
        assertEquals(2, app.model().session().head());
        assertTrue(menuItem("menu-redo").isDisable(), "nothing left to redo");
    }

    private javafx.scene.control.MenuItem menuItem(String id) {
        for (javafx.scene.control.Menu menu : robot().lookup(".menu-bar").queryAs(javafx.scene.control.MenuBar.class).getMenus()) {
            for (javafx.scene.control.MenuItem item : menu.getItems()) {
                if (id.equals(item.getId())) {
                    return item;
                }
            }
        }
        throw new AssertionError("no menu item " + id);
    }

    private static FxRobot robot() {
        return new FxRobot();
    }
}
