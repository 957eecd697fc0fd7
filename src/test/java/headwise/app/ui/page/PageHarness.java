package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.Session;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.imageio.ImageIO;

/** Puts one page in a stage, records what it asks of the window, and saves screenshots. */
final class PageHarness {

    final List<int[]> opened = new ArrayList<>();
    final List<SessionAnalysis.Part> requested = new ArrayList<>();
    final ViewState state = new ViewState((l, h) -> opened.add(new int[] {l, h}), requested::add);
    private final Stage stage;
    private Page page;

    PageHarness(Stage stage) {
        this.stage = stage;
    }

    /** Creates the page on the FX thread, shows {@code session} in a 1240×780 (inside Monocle's 1280×800 screen) window. */
    <P extends Page> P open(FxRobot robot, Function<ViewState, P> create, Session session) {
        robot.interact(() -> {
            page = create.apply(state);
            stage.setScene(new Scene((javafx.scene.Parent) page.view(), 1240, 780));
            stage.show();
            page.show(session);
        });
        WaitForAsyncUtils.waitForFxEvents();
        @SuppressWarnings("unchecked")
        P p = (P) page;
        return p;
    }

    void show(FxRobot robot, Session session) {
        robot.interact(() -> page.show(session));
    }

    Path screenshot(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Path folder = Files.createDirectories(Path.of("target", "screenshots"));
        var image = WaitForAsyncUtils.asyncFx(() -> stage.getScene().getRoot().snapshot(null, null)).get(20, TimeUnit.SECONDS);
        Path file = folder.resolve(name);
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
        return file;
    }
}
