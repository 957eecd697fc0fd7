package headwise.app.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import headwise.app.session.SessionFile;
import headwise.app.session.Theme;
import headwise.app.ui.help.Methods;
import headwise.app.ui.help.MethodsWindow;
import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The look of the real window: View > Dark theme switches every window to Primer dark, is autosaved and comes back
 * at the next start; every tab's "?" opens Help > Methods at that page's entry, and every page has one.
 */
@ExtendWith(ApplicationExtension.class)
class LookTest {

    private HeadwiseApp app;
    private Stage stage;
    private Path sessionFile;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        sessionFile = Files.createTempDirectory("headwise-look-test").resolve("session.json");
        app = HeadwiseAppTest.startApp(stage, sessionFile, new HeadwiseAppTest.FakeChooser());
    }

    @Stop
    void stop() {
        app.stop();
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
    }

    @Test
    void theDarkThemeIsKeptInTheSessionAndRestoredAtStart(FxRobot robot) throws Exception {
        HeadwiseAppTest.waitForIdle(app, 120);
        assertEquals(new PrimerLight().getUserAgentStylesheet(), Application.getUserAgentStylesheet(), "a new session starts light");
        robot.interact(() -> app.window().fireMenu("menu-dark-theme"));
        assertEquals(Theme.DARK, app.model().state().theme());
        assertEquals(new PrimerDark().getUserAgentStylesheet(), Application.getUserAgentStylesheet());
        HeadwiseAppTest.waitFor(10, () -> Files.exists(sessionFile) && SessionFile.read(sessionFile).theme() == Theme.DARK,
                "the autosave keeps the theme");

        robot.interact(() -> {
            app.stop();
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        });
        robot.interact(() -> {
            try {
                app = HeadwiseAppTest.startApp(stage, sessionFile, new HeadwiseAppTest.FakeChooser());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HeadwiseAppTest.waitForIdle(app, 120);
        assertEquals(Theme.DARK, app.model().state().theme(), "restored from the session");
        assertEquals(new PrimerDark().getUserAgentStylesheet(), Application.getUserAgentStylesheet(), "and applied at start");
        robot.interact(() -> app.window().fireMenu("menu-light-theme"));
        assertEquals(new PrimerLight().getUserAgentStylesheet(), Application.getUserAgentStylesheet());
    }

    @Test
    void everyPagesQuestionMarkOpensItsMethodsEntry(FxRobot robot) throws Exception {
        HeadwiseAppTest.waitForIdle(app, 120);
        Methods methods = Methods.load();
        TabPane tabs = robot.lookup("#pages").queryAs(TabPane.class);
        List<String> titles = new ArrayList<>();
        for (Tab tab : tabs.getTabs()) {
            titles.add(tab.getText());
        }
        assertTrue(titles.size() >= 10, titles.toString());
        for (String title : titles) {
            var entry = methods.entry(title);
            assertTrue(entry.isPresent(), "Help > Methods has no entry for the " + title + " page");
            assertFalse(entry.get().measures().isEmpty(), title);
            for (Methods.Measure m : entry.get().measures()) {
                assertFalse(m.definition().isBlank() || m.paper().isBlank() || m.colour().isBlank(), title + ": " + m.name());
            }
            String id = "#help-" + title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
            Tab shown = tabs.getTabs().get(titles.indexOf(title));
            robot.interact(() -> tabs.getSelectionModel().select(shown)); // scrolls a tab the header row cannot fit into view
            robot.clickOn(id);
            WaitForAsyncUtils.waitForFxEvents();
            MethodsWindow window = app.window().methodsWindow();
            assertTrue(window.isShowing(), title);
            assertEquals(title, window.shownPage(), "the " + title + " page's ? opens its entry");
            Node section = window.stage().getScene().lookup("#" + MethodsWindow.entryId(title));
            assertTrue(section.getStyleClass().contains("hw-selected"), title);
            // the entry is scrolled into view
            var viewport = window.stage().getScene().lookup("#methods").localToScene(0, 0);
            double top = section.localToScene(0, 0).getY() - viewport.getY();
            assertTrue(top >= -1 && top < window.stage().getScene().getHeight() - 40, title + " entry at " + top);
            if (title.equals("Importance")) {
                HeadwiseAppTest.screenshot(window.stage(), "help-methods-importance.png");
            }
            robot.interact(() -> window.stage().hide());
        }
        // Help > Methods opens at the page shown
        robot.interact(() -> app.window().selectPage("Sinks"));
        robot.interact(() -> app.window().fireMenu("menu-methods"));
        assertEquals("Sinks", app.window().methodsWindow().shownPage());
        robot.interact(() -> app.window().methodsWindow().stage().hide());
    }
}
