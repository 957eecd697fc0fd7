package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.Results;
import headwise.app.session.Selection;
import headwise.app.session.Session;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import headwise.app.session.SessionState;
import headwise.app.ui.model.AppModel;
import headwise.engine.Fixtures;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import headwise.viz.view.CompareFigure;
import javafx.scene.control.Label;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

@ExtendWith(ApplicationExtension.class)
class ComparePageTest {

    private PageHarness harness;

    @Start
    void start(Stage stage) {
        harness = new PageHarness(stage);
    }

    @Test
    void drawsBothRunsAndTheirDifferenceAndFollowsTheHead(FxRobot robot) throws Exception {
        Session s = PageSessions.minilm();
        ComparePage page = harness.open(robot, ComparePage::new, s.withSelection(2, 3));
        Image first = page.figureView().image();
        assertTrue(first.getWidth() > 600, "A, B and B \u2212 A side by side: " + first.getWidth());
        int[] signs = redAndBlue(first);
        assertTrue(signs[0] > 0 && signs[1] > 0, "the diverging scale shows both signs: red " + signs[0] + ", blue " + signs[1]);
        harness.screenshot("page-compare.png");
        robot.interact(() -> page.select(4, 0));
        assertNotEquals(first, page.figureView().image(), "another head redraws");
    }

    private static final String IDS = "5, 17, 33, 2, 8, 40, 11";

    @Test
    void aSecondModelOfTheSameShapeIsComparedOnTheSameInput(FxRobot robot) throws Exception {
        String f32 = Fixtures.model("gpt2_f32").toString();
        String f16 = Fixtures.model("gpt2_f16").toString();
        AppModel model = WaitForAsyncUtils.asyncFx(() -> new AppModel(null)).get(10, TimeUnit.SECONDS);
        try {
            robot.interact(() -> model.start(SessionState.defaults().withModel(f32).withText(IDS), null));
            waitFor(60, () -> !model.isBusy() && model.session() != null, "gpt2_f32 runs", model);
            assertNull(model.session().comparison(), "nothing to compare yet");

            robot.interact(() -> model.setCompareModel(f16));
            waitFor(60, () -> !model.isBusy() && model.session().comparison() != null, "gpt2_f16 runs the same ids", model);
            Session s = model.session();
            assertEquals("gpt2_f16", s.comparison().modelName(), model.statusProperty().get());
            assertEquals("gpt2_f16", model.compareModelName(), "kept loaded for the next run");
            assertTrue(model.statusProperty().get().contains("compared with gpt2_f16"), model.statusProperty().get());
            assertEquals(f16, model.state().compareModel());

            // the page's B − A at one cell is the f16 model's attention minus the f32 model's, computed here directly
            int layer = 2;
            int head = 1;
            int q = 6;
            int k = 3;
            float expected;
            try (LoadedModel a = ModelLoader.load(f32); LoadedModel b = ModelLoader.load(f16)) {
                AnalysisResult ra = Analyzer.analyze(a, ModelInput.fromIds(a, ModelInput.parseIds(IDS)));
                AnalysisResult rb = Analyzer.analyze(b, ModelInput.fromIds(b, ModelInput.parseIds(IDS)));
                expected = rb.attention().get(layer, head, q, k) - ra.attention().get(layer, head, q, k);
            }
            assertNotEquals(0f, expected, "half precision changes the attention a little");
            assertTrue(Math.abs(expected) < 0.05f, "but only a little: " + expected);
            ComparePage page = harness.open(robot, ComparePage::new, s.withSelection(layer, head));
            CompareFigure.Run[] runs = page.shownRuns();
            assertEquals("A: gpt2_f32", runs[0].name());
            assertEquals("B: gpt2_f16", runs[1].name());
            float shown = runs[1].attention().get(layer, head, q, k) - runs[0].attention().get(layer, head, q, k);
            assertEquals(expected, shown, 1e-6f);
            assertTrue(page.header().contains("gpt2_f32 (A) vs gpt2_f16 (B)"), page.header());
            assertTrue(robot.lookup("#compare-notice").tryQuery().isEmpty() || !robot.lookup("#compare-notice").query().isVisible(),
                    "same tokens: no notice");
            int[] signs = redAndBlue(page.figureView().image());
            assertTrue(signs[0] > 0 && signs[1] > 0, "the difference shows both signs: red " + signs[0] + ", blue " + signs[1]);
            harness.screenshot("page-compare-models.png");

            // a model of another shape: the page says so in one line
            robot.interact(() -> model.setCompareModel(BundledModels.MINILM));
            waitFor(120, () -> !model.isBusy() && model.session().comparison() != null
                    && BundledModels.MINILM.equals(model.session().comparison().modelName()), "MiniLM runs", model);
            harness.show(robot, model.session());
            assertTrue(labels(robot).stream().anyMatch(t -> t.startsWith("The two models have different shapes (3\u00D74 and 6\u00D712 heads)")),
                    labels(robot).toString());

            // a folder that is no model: one line, the previous results stay
            Session before = model.session();
            robot.interact(() -> model.setCompareModel(Fixtures.model("gpt2_f32").resolve("reference").toString()));
            waitFor(60, () -> !model.isBusy() && model.failedProperty().get(), "the load fails", model);
            assertFalse(model.statusProperty().get().contains("\n"), model.statusProperty().get());
            assertSame(before, model.session(), "the previous results stay");

            // stop comparing: the compare text (none) decides again, the model is closed
            robot.interact(() -> model.setCompareModel(""));
            waitFor(60, () -> !model.isBusy() && model.session() != before, "runs without a second model", model);
            assertNull(model.session().comparison());
            assertNull(model.compareModelName());
        } finally {
            robot.interact(model::close);
        }
    }

    @Test
    void twoVisionModelsCompareOnTheSameImage(FxRobot robot) throws Exception {
        String f32 = Fixtures.model("vit_f32").toString();
        String f16 = Fixtures.model("vit_f16").toString();
        String image = Fixtures.model("vit_f32").resolve("reference").resolve("image.png").toString();
        AppModel model = WaitForAsyncUtils.asyncFx(() -> new AppModel(null)).get(10, TimeUnit.SECONDS);
        try {
            robot.interact(() -> model.start(SessionState.defaults().withModel(f32).withImage(image).withCompareModel(f16), null));
            waitFor(60, () -> !model.isBusy() && model.session() != null, "both ViTs run", model);
            Session s = model.session();
            assertNotNull(s.comparison(), model.statusProperty().get());
            assertEquals("vit_f16", s.comparison().modelName());
            assertNotNull(s.comparison().input().pixels(), "B's input is the image too");
            assertEquals(s.result().input().length(), s.comparison().input().length(), "the same patches");
            ComparePage page = harness.open(robot, ComparePage::new, s);
            assertTrue(page.header().contains("vit_f32 (A) vs vit_f16 (B)"), page.header());
        } finally {
            robot.interact(model::close);
        }
    }

    @Test
    void twoModelsThatSplitTheInputDifferentlyGetANotice(FxRobot robot) {
        Session s;
        try (LoadedModel a = ModelLoader.load(Fixtures.model("gpt2_f32").toString());
             LoadedModel b = ModelLoader.load(Fixtures.model("gpt2_f16").toString())) {
            Results results = Results.of(Analyzer.analyze(a, ModelInput.fromIds(a, ModelInput.parseIds(IDS))))
                    .withComparison(Analyzer.analyze(b, ModelInput.fromIds(b, ModelInput.parseIds("5, 17, 33, 2"))));
            s = new Session(results, Selection.defaults());
        }
        ComparePage page = harness.open(robot, ComparePage::new, s);
        String notice = robot.lookup("#compare-notice").queryAs(Label.class).getText();
        assertTrue(notice.startsWith("The two models split the input into different numbers of tokens (7 and 4)"), notice);
        assertEquals(2, page.shownRuns().length);
        assertNotNull(page.figureView().image(), "each head and the entropy change are still drawn");
    }

    @Test
    void withoutASecondRunItAsksForOne(FxRobot robot) {
        harness.open(robot, ComparePage::new, Session.of(PageSessions.gpt2().result()));
        assertTrue(labels(robot).stream().anyMatch(t -> t.contains("second model of the same shape")), labels(robot).toString());
        robot.clickOn("#request-comparison");
        assertEquals(List.of(SessionAnalysis.Part.COMPARISON), harness.requested);
    }

    @Test
    void pagesListsTheSixAnalysisPagesInOrder(FxRobot robot) {
        robot.interact(() -> {
            List<Page> pages = Pages.analysisPageMakers(harness.state).values().stream().map(java.util.function.Supplier::get).toList();
            assertEquals(List.of("Flow", "Importance", "Sinks", "Layers", "ViT", "Compare"), pages.stream().map(Page::title).toList());
            for (Page p : pages) {
                p.show(PageSessions.gpt2());
                assertTrue(p.view() != null && p.exportView() != null, p.title());
            }
        });
    }

    /** Pixels clearly red and clearly blue (every other pixel). */
    private static int[] redAndBlue(Image image) {
        int red = 0;
        int blue = 0;
        var pixels = image.getPixelReader();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int argb = pixels.getArgb(x, y);
                int r = argb >> 16 & 0xFF;
                int b = argb & 0xFF;
                red += r > 150 && b < 110 ? 1 : 0;
                blue += b > 150 && r < 110 ? 1 : 0;
            }
        }
        return new int[] {red, blue};
    }

    private static List<String> labels(FxRobot robot) {
        return robot.lookup(".label").queryAllAs(Label.class).stream().map(Label::getText).toList();
    }

    /** Waits (off the FX thread) until {@code condition} holds on the FX thread. */
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
