package headwise.app.ui.core;

import headwise.app.session.RelevanceChoice;
import headwise.app.session.SessionFile;
import headwise.app.session.SessionState;
import headwise.app.ui.model.AppModel;
import headwise.engine.Fixtures;
import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.Relevance;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Relevance page computes every method's map in the background when it is shown, recomputes for a target
 * chosen from the top outputs, and draws the faithfulness curves on request; the maps are the engine's own.
 */
@ExtendWith(ApplicationExtension.class)
class RelevancePageTest {

    private static final String IDS = "9, 71, 88, 60, 43, 77, 5, 29";
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    @Test
    void mapsTargetsAndCurvesArriveFromTheBackground(FxRobot robot) throws Exception {
        String gpt2 = Fixtures.model("gpt2_f32").toString();
        AppModel app = WaitForAsyncUtils.asyncFx(() -> new AppModel(null)).get(10, TimeUnit.SECONDS);
        try {
            robot.interact(() -> app.start(SessionState.defaults().withModel(gpt2).withText(IDS), null));
            waitFor(60, () -> !app.isBusy() && app.session() != null, "gpt2_f32 runs", app);
            RelevancePageModel model = new RelevancePageModel(app);
            RelevancePage page = open(model, app, 1200, 900);
            waitFor(120, () -> model.mapsFor(app.session().result()) != null, "the maps", app);
            List<RelevanceMap> maps = WaitForAsyncUtils.asyncFx(() -> model.mapsFor(app.session().result())).get(10, TimeUnit.SECONDS);
            assertEquals(RelevanceMethod.values().length, maps.size());
            int[] ids = ModelInput.parseIds(IDS);
            try (LoadedModel m = ModelLoader.load(gpt2)) {
                RelevanceMap direct = Relevance.compute(m, Relevance.prepare(m, ModelInput.fromIds(m, ids), null, null),
                        RelevanceMethod.ATTN_LRP);
                assertArrayEquals(direct.tokens(), maps.get(1).tokens(), 1e-9);
                assertEquals(direct.target(), maps.get(1).target());
            }
            assertTrue(page.mapsView().isVisible());

            // the second-best output as target: computed again, for it
            @SuppressWarnings("unchecked")
            ComboBox<RelevancePageModel.Choice> targets = robot.lookup("#relevance-target").queryAs(ComboBox.class);
            RelevancePageModel.Choice second = targets.getItems().get(2);
            robot.interact(() -> targets.setValue(second));
            waitFor(120, () -> model.mapsFor(app.session().result()) != null, "the maps for the second target", app);
            RelevanceMap cp = WaitForAsyncUtils.asyncFx(() -> model.mapsFor(app.session().result()).get(2)).get(10, TimeUnit.SECONDS);
            assertEquals(second.target(), cp.target());

            // the page's maps are the session's: the Importance page's head relevance reads them; the choices are saved
            waitFor(10, () -> app.session().results().relevance() != null
                    && app.session().results().relevance().get(2).target().equals(second.target()), "the maps in the results", app);
            RelevanceChoice saved = app.state().selection().relevance();
            assertEquals(second.target().id(), saved.target());
            assertEquals(second.target().position(), saved.position());
            assertTrue(saved.computed());
            waitFor(30, () -> model.baselineProperty().get() != null, "the baselines", app);
            assertEquals("id:0", model.baselineProperty().get().name(), "gpt2_f32 has no tokenizer: id 0");

            robot.interact(() -> robot.lookup("#relevance-faithfulness").queryAs(Button.class).fire());
            waitFor(120, () -> model.curvesProperty().get() != null, "the faithfulness curves", app);
            List<Faithfulness> curves = model.curvesProperty().get();
            assertEquals(RelevanceMethod.values().length, curves.size());
            assertEquals("id:0", curves.get(0).baseline());
            robot.interact(() -> model.methodProperty().set("cp-lrp"));
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals("cp-lrp", app.state().selection().relevance().method());
            assertTrue(page.curvesView().isVisible());
            assertNotNull(page.curvesView().figure());
            Path shot = Path.of("target", "screenshots", "page-relevance.png");
            Files.createDirectories(shot.getParent());
            robot.interact(() -> {
                try {
                    ImageIO.write(SwingFXUtils.fromFXImage(page.view().snapshot(null, null), null), "png", shot.toFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            restoredSessionComputesTheSavedMapsAgain(robot, app.state(), second);
        } finally {
            robot.interact(app::close);
        }
    }

    /**
     * A LLaVA's text joined with its (example) image: the maps cover every joined position, the image positions are
     * drawn on the image, and the curves run over all positions. Screenshot at 1280x800: page-relevance-llava.png.
     */
    @Test
    void aJoinedRunsImagePositionsAreDrawnOnTheImage(FxRobot robot) throws Exception {
        String llava = Fixtures.model("llava_clip_f32").toString();
        AppModel app = WaitForAsyncUtils.asyncFx(() -> new AppModel(null)).get(10, TimeUnit.SECONDS);
        try {
            robot.interact(() -> app.start(SessionState.defaults().withModel(llava).withText("hello world"), null));
            waitFor(60, () -> !app.isBusy() && app.session() != null, "llava_clip_f32 runs", app);
            RelevancePageModel model = new RelevancePageModel(app);
            RelevancePage page = open(model, app, 1280, 800);
            var result = app.session().result();
            waitFor(120, () -> model.mapsFor(result) != null && model.joinedImageFor(result) != null, "the maps and the image", app);
            var joined = WaitForAsyncUtils.asyncFx(() -> model.joinedImageFor(result)).get(10, TimeUnit.SECONDS);
            assertEquals(4, joined.classes().gridRows());
            assertEquals(16, joined.classes().imageCount());
            List<RelevanceMap> maps = WaitForAsyncUtils.asyncFx(() -> model.mapsFor(result)).get(10, TimeUnit.SECONDS);
            try (LoadedModel m = ModelLoader.load(llava)) {
                RelevanceMap direct = Relevance.compute(m, Relevance.prepare(m, result.input(), null, null), RelevanceMethod.ATTN_LRP);
                assertEquals(result.input().length(), maps.get(1).tokens().length, "one value per joined position");
                assertArrayEquals(direct.tokens(), maps.get(1).tokens(), 1e-9);
            }
            robot.interact(() -> robot.lookup("#relevance-faithfulness").queryAs(Button.class).fire());
            waitFor(120, () -> model.curvesProperty().get() != null, "the faithfulness curves", app);
            assertEquals(Math.min(Faithfulness.MAX_STEPS, result.input().length()), model.curvesProperty().get().get(0).steps());
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(page.mapsView().isVisible() && page.curvesView().isVisible());
            Path shot = Path.of("target", "screenshots", "page-relevance-llava.png");
            Files.createDirectories(shot.getParent());
            robot.interact(() -> {
                try {
                    ImageIO.write(SwingFXUtils.fromFXImage(stage.getScene().snapshot(null), null), "png", shot.toFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } finally {
            robot.interact(app::close);
        }
    }

    /** The session file keeps the choices; a session opened from it has the maps of the saved target in its results. */
    private void restoredSessionComputesTheSavedMapsAgain(FxRobot robot, SessionState state, RelevancePageModel.Choice second)
            throws Exception {
        Path file = Files.createTempFile("headwise-relevance", ".json");
        SessionFile.write(state, file);
        SessionState restored = SessionFile.read(file);
        Files.delete(file);
        assertEquals(state.selection().relevance(), restored.selection().relevance());
        AppModel again = WaitForAsyncUtils.asyncFx(() -> new AppModel(null)).get(10, TimeUnit.SECONDS);
        try {
            robot.interact(() -> again.start(restored, null));
            waitFor(180, () -> again.session() != null && again.session().results().relevance() != null, "the restored maps", again);
            assertEquals(second.target(), again.session().results().relevance().get(0).target());
        } finally {
            robot.interact(again::close);
        }
    }

    /** The page on the stage at width × height, showing the app's session. */
    private RelevancePage open(RelevancePageModel model, AppModel app, int width, int height) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            RelevancePage p = new RelevancePage(model);
            stage.setScene(new Scene((javafx.scene.Parent) p.view(), width, height));
            stage.show();
            p.show(app.session());
            return p;
        }).get(10, TimeUnit.SECONDS);
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
}
