package headwise.app.ui;

import headwise.app.session.InterventionPlan;
import headwise.app.session.Prediction;
import headwise.app.session.Session;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.core.InterventionsPage;
import headwise.app.ui.core.ModelViewPage;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.io.gguf.HfToGguf;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
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
import static headwise.app.ui.HeadwiseAppTest.status;
import static headwise.app.ui.HeadwiseAppTest.text;
import static headwise.app.ui.HeadwiseAppTest.waitFor;
import static headwise.app.ui.HeadwiseAppTest.waitForIdle;
import static headwise.app.ui.HeadwiseAppTest.waitForNewSession;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The newer families in the real window (headless): Pythia and Gemma-2 folders and a Gemma-2 GGUF open, show the model
 * view and a head page, and switching head 1.2 off on the Interventions page changes the prediction exactly as the
 * engine's own run with that head zero-ablated. Screenshots go to target/screenshots/app-family-*.png.
 */
@ExtendWith(ApplicationExtension.class)
class FamiliesAppTest {

    private static final String IDS = "5, 17, 33, 2, 8, 40, 11";
    private static final int[] INPUT = {5, 17, 33, 2, 8, 40, 11};
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    private HeadwiseApp app;
    private Stage stage;
    private Path folder;
    private final HeadwiseAppTest.FakeChooser chooser = new HeadwiseAppTest.FakeChooser();

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        folder = Files.createTempDirectory("headwise-families-app-test");
        app = HeadwiseAppTest.startApp(stage, folder.resolve("config").resolve("session.json"), chooser);
    }

    @Stop
    void stop() {
        app.stop();
    }

    @Test
    void pythiaGemma2AndAGemma2GgufShowTheirHeadsAndAblateInTheApp(FxRobot robot) throws Exception {
        waitForIdle(app, 120);
        Path gguf = HfToGguf.write(FIXTURES.resolve("gemma2_f32"), "gemma2", folder.resolve("gemma2.gguf"));
        openAndAblate(robot, FIXTURES.resolve("pythia_f32"), "pythia_f32", "GPTNeoXForCausalLM", "pythia");
        openAndAblate(robot, FIXTURES.resolve("gemma2_f32"), "gemma2_f32", "Gemma2ForCausalLM", "gemma2");
        openAndAblate(robot, gguf, "gemma2.gguf", "Gemma2ForCausalLM (GGUF, RoPE on halves)", "gemma2-gguf");
    }

    @Test
    void aGgufFileIsASecondModelToCompareWith(FxRobot robot) throws Exception {
        Session first = waitForIdle(app, 120);
        Path gguf = HfToGguf.write(FIXTURES.resolve("gemma2_f32"), "gemma2", folder.resolve("gemma2.gguf"));
        robot.interact(() -> app.window().open(FIXTURES.resolve("gemma2_f32")));
        waitFor(60, () -> !app.model().isBusy() && "gemma2_f32".equals(app.model().modelName()), "the fixture loads");
        robot.interact(() -> text(robot).setText(IDS));
        robot.clickOn("#analyse");
        Session clean = waitForNewSession(app, first, 60);

        chooser.modelFile = gguf;
        robot.interact(() -> app.window().fireMenu("menu-compare-gguf"));
        Session compared = waitForNewSession(app, clean, 60);
        assertEquals("gemma2.gguf", compared.comparison().modelName(), status(robot));
        assertEquals(gguf.toString(), app.model().state().compareModel());
        try (LoadedModel engine = ModelLoader.load(gguf.toString())) {
            AnalysisResult expected = Analyzer.analyze(engine, ModelInput.fromIds(engine, INPUT));
            assertArrayEquals(expected.attention().values(), compared.comparison().attention().values(), 0f,
                    "B is the GGUF's own run on the same input");
        }
        // the file llama.cpp's converter wrote scales queries by head_dim^-1/2, not query_pre_attn_scalar 32: B differs
        assertNotEquals(compared.result().attention().get(1, 2, 6, 3), compared.comparison().attention().get(1, 2, 6, 3));
        robot.interact(() -> app.window().selectPage("Compare"));
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "app-family-compare-gguf.png");
    }

    private void openAndAblate(FxRobot robot, Path model, String name, String architecture, String shot) throws Exception {
        robot.interact(() -> app.model().setPlan(InterventionPlan.none())); // the previous model's ablation is undone
        Session before = waitForIdle(app, 60);
        robot.interact(() -> app.window().open(model));
        waitFor(60, () -> !app.model().isBusy() && name.equals(app.model().modelName()), name + " loads");
        robot.interact(() -> text(robot).setText(IDS));
        robot.clickOn("#analyse");
        Session clean = waitForNewSession(app, before, 60);
        assertEquals(name, clean.result().modelName(), status(robot));
        assertEquals(architecture, clean.result().spec().architecture());
        assertEquals(INPUT.length, clean.result().input().length());

        robot.interact(() -> app.window().selectPage(ModelViewPage.TITLE));
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "app-family-" + shot + "-model-view.png");
        robot.interact(() -> app.window().viewState().openHead(1, 2));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(HeadDetailPage.TITLE, app.window().selectedPage().title());
        HeadDetailPage head = (HeadDetailPage) app.window().page(HeadDetailPage.TITLE);
        waitFor(30, () -> head.scatter().chart() != null, "the q/k projection of " + name);
        screenshot(stage, "app-family-" + shot + "-head.png");

        Prediction original = app.model().runner().predictionProperty().get();
        robot.clickOn("Interventions");
        assertEquals(InterventionsPage.TITLE, app.window().selectedPage().title());
        robot.clickOn("#ablate-1-2");
        Session ablated = waitForNewSession(app, clean, 60);
        assertTrue(app.model().state().plan().isAblated(1, 2));
        Prediction now = app.model().runner().predictionProperty().get();
        screenshot(stage, "app-family-" + shot + "-interventions.png");

        try (LoadedModel engine = ModelLoader.load(model.toString())) {
            ModelInput input = ModelInput.fromIds(engine, INPUT);
            AnalysisResult plain = Analyzer.analyze(engine, input);
            AnalysisResult off = Analyzer.analyze(engine, input, Interventions.ablateHeads(Hooks.none(), 1, Interventions.Ablation.ZERO, 2));
            Prediction expectedOriginal = Prediction.of(engine, plain);
            Prediction expected = Prediction.of(engine, off);
            assertArrayEquals(expectedOriginal.probabilities(), original.probabilities(), 1e-9, name + ": the clean prediction");
            assertArrayEquals(expected.probabilities(), now.probabilities(), 1e-9, name + ": the prediction with head 1.2 off");
            assertArrayEquals(off.output().values(), ablated.result().output().values(), 0f, name + ": the ablated logits");
            int best = original.top().get(0).id();
            assertNotEquals(original.probabilities()[best], now.probabilities()[best], name + ": the prediction changed");
            System.out.printf("app %-12s head 1.2 off: p(top token %d) %.4f -> %.4f, KL %.3e%n", name, best,
                    original.probabilities()[best], now.probabilities()[best], now.klFrom(original));
        }
    }
}
