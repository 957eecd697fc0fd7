package headwise.app.ui;

import headwise.app.session.Session;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.core.ModelViewPage;
import headwise.app.ui.corpus.AtlasPage;
import headwise.app.ui.corpus.AtlasPageModel;
import headwise.app.ui.corpus.CorpusChooser;
import headwise.app.ui.corpus.CorpusPage;
import headwise.app.ui.corpus.CorpusPageModel;
import headwise.app.ui.corpus.PromptLine;
import headwise.engine.corpus.CorpusAnalysis;
import headwise.engine.corpus.CorpusResults;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import javafx.stage.Window;
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
import java.util.concurrent.TimeUnit;

import static headwise.app.ui.HeadwiseAppTest.screenshot;
import static headwise.app.ui.HeadwiseAppTest.waitFor;
import static headwise.app.ui.HeadwiseAppTest.waitForIdle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Corpus and Atlas pages in the real window on the bundled MiniLM: a small corpus run through the page (embedded
 * Spark), its maps, chart, atlas and prompt table, a prompt opened into the normal views, a run cancelled (the app
 * goes on) and resumed, an output folder opened without running, and the atlas of the current input and of the run.
 */
@ExtendWith(ApplicationExtension.class)
class CorpusPagesTest {

    private static final List<String> PROMPTS = List.of("The cat sat on the mat.", "A dog barked at the mailman twice.",
            "Paris is the capital of France.", "She sells sea shells by the sea shore.", "One two three four five six.",
            "The quick brown fox jumps over the lazy dog.");

    private HeadwiseApp app;
    private Stage stage;
    private Path folder;
    private final Answers answers = new Answers();

    /** The page's dialogs, answered by the test. */
    static final class Answers implements CorpusChooser {
        Path data;
        Path output;

        @Override
        public Path dataFile(Window owner) {
            return data;
        }

        @Override
        public Path outputFolder(Window owner) {
            return output;
        }
    }

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        folder = Files.createTempDirectory("headwise-corpus-test");
        app = HeadwiseAppTest.startApp(stage, folder.resolve("config").resolve("session.json"), new HeadwiseAppTest.FakeChooser());
    }

    @Stop
    void stop() {
        app.stop();
    }

    @Test
    void aCorpusRunsInThePageOpensAPromptCancelsResumesAndFeedsTheAtlas(FxRobot robot) throws Exception {
        waitForIdle(app, 120);
        robot.interact(() -> {
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(1280);
            stage.setHeight(800);
            app.window().selectPage(CorpusPage.TITLE);
        });
        CorpusPage page = (CorpusPage) app.window().page(CorpusPage.TITLE);
        CorpusPageModel model = page.model();
        page.setChooser(answers);
        StringBuilder lines = new StringBuilder();
        for (String p : PROMPTS) {
            lines.append("{\"text\": \"").append(p).append("\", \"label\": \"").append(p.length() % 2 == 0 ? "even" : "odd").append("\"}\n");
        }
        answers.data = Files.writeString(folder.resolve("prompts.jsonl"), lines);
        robot.clickOn("#corpus-data");
        robot.clickOn("#corpus-run");
        waitFor(240, () -> !model.runningProperty().get() && model.resultsProperty().get() != null, "the corpus run; " + model.statusProperty().get());
        CorpusResults results = model.resultsProperty().get();
        assertEquals(PROMPTS.size(), results.prompts(), model.statusProperty().get());
        assertEquals(6, results.layers());
        assertEquals(12, results.heads());
        assertTrue(model.statusProperty().get().startsWith("6 prompts"), model.statusProperty().get());
        // the map shows the statistic of per_prompt's values: the mean of head (2, 5)'s entropy over the prompts
        double sum = 0;
        for (float[] prompt : results.perPrompt()[0]) {
            sum += prompt[2 * 12 + 5];
        }
        assertEquals(sum / PROMPTS.size(), results.headStats().get("entropy").get("mean")[2][5], 1e-6);
        @SuppressWarnings("unchecked")
        TableView<PromptLine> table = robot.lookup("#corpus-prompts").queryAs(TableView.class);
        assertEquals(10, table.getItems().size(), "five highest and five lowest of six prompts");
        Thread.sleep(400); // the figures' sharp re-render after layout
        screenshot(stage, "corpus-1280x800.png");

        // another metric, statistic and head
        robot.interact(() -> {
            model.metricProperty().set("prev_token");
            model.statisticProperty().set("p90");
            model.headProperty().set(3 * 12 + 7);
        });
        PromptLine top = table.getItems().get(0);
        List<CorpusResults.Ranked> ranked = results.ranked("prev_token", 3 * 12 + 7, true, 6);
        assertEquals(ranked.get(0).row().prompt(), top.getPrompt());
        assertTrue(ranked.get(0).value() >= ranked.get(5).value());
        robot.interact(() -> {
            stage.setWidth(1920);
            stage.setHeight(1080);
        });
        Thread.sleep(400);
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "corpus-1920x1080.png");

        // the figures shown, saved as PNG and SVG beside the results
        robot.clickOn("#corpus-save-figures");
        Path figures = model.outProperty().get().resolve("figures");
        waitFor(30, () -> Files.isRegularFile(figures.resolve("atlas.svg")) && Files.isRegularFile(figures.resolve("heads-prev_token-p90.png"))
                && Files.isRegularFile(figures.resolve("layers-prev_token.svg")), "the saved figures; " + model.statusProperty().get());

        // open the prompt where head 3.7 scores highest: it becomes the input, shown on the model view
        Session before = app.model().session();
        robot.interact(() -> table.getSelectionModel().select(0));
        robot.interact(() -> robot.lookup("#corpus-open-prompt").queryAs(Button.class).fire());
        Session opened = HeadwiseAppTest.waitForNewSession(app, before, 60);
        String text = PROMPTS.get(top.getPrompt());
        assertEquals(text, opened.result().input().text());
        assertEquals(ModelViewPage.TITLE, app.window().selectedPage().title());
        double[][][] metrics = CorpusAnalysis.metrics(opened.result().attention(), opened.result().spec().causal(), opened.result().input().ids());
        assertEquals(ranked.get(0).value(), metrics[CorpusAnalysis.METRICS.indexOf("prev_token")][3][7], 1e-5,
                "the run's value for the prompt is what the normal views compute for it");

        // the atlas of this input: hover shows a head's pattern, a click opens the head
        robot.interact(() -> app.window().selectPage(AtlasPage.TITLE));
        AtlasPage atlas = (AtlasPage) app.window().page(AtlasPage.TITLE);
        waitFor(60, () -> atlas.model().dataProperty().get() != null && atlas.shownFigure() != null, "the atlas of this input");
        assertEquals(72, atlas.model().dataProperty().get().atlas().count());
        Thread.sleep(400);
        WaitForAsyncUtils.waitForFxEvents();
        int target = 4 * 12 + 2;
        Point2D dot = screenPoint(atlas, target);
        robot.moveTo(dot);
        waitFor(10, () -> atlas.model().hoveredProperty().get() >= 0, "a hovered head");
        assertTrue(atlas.thumbnailView().isVisible(), "the hovered head's pattern is shown");
        screenshot(stage, "atlas-input-1920x1080.png");
        int hovered = atlas.model().hoveredProperty().get();
        robot.clickOn(dot);
        waitFor(10, () -> app.window().selectedPage().title().equals(HeadDetailPage.TITLE), "the head page");
        assertEquals(hovered / 12, app.model().session().layer());
        assertEquals(hovered % 12, app.model().session().head());

        // the atlas of the corpus run, coloured by head type
        robot.interact(() -> {
            app.window().selectPage(AtlasPage.TITLE);
            atlas.model().sourceProperty().set(AtlasPageModel.CORPUS);
            atlas.model().colourByProperty().set("head type");
            stage.setWidth(1280);
            stage.setHeight(800);
        });
        waitFor(10, () -> atlas.model().dataProperty().get() != null && atlas.model().dataProperty().get().corpus(), "the corpus atlas");
        Thread.sleep(400);
        WaitForAsyncUtils.waitForFxEvents();
        screenshot(stage, "atlas-corpus-1280x800.png");

        // an output folder opens without running
        Path out = model.outProperty().get();
        robot.interact(() -> model.resultsProperty().set(null));
        answers.output = out;
        robot.interact(() -> app.window().selectPage(CorpusPage.TITLE));
        robot.clickOn("#corpus-open");
        waitFor(30, () -> model.resultsProperty().get() != null, "the output folder read back");
        assertEquals(results.headStats().get("entropy").get("p50")[1][1], model.resultsProperty().get().headStats().get("entropy").get("p50")[1][1]);
    }

    @Test
    void aCancelledRunStopsTheSparkJobTheAppGoesOnAndRunResumes(FxRobot robot) throws Exception {
        waitForIdle(app, 120);
        robot.interact(() -> app.window().selectPage(CorpusPage.TITLE));
        CorpusPage page = (CorpusPage) app.window().page(CorpusPage.TITLE);
        CorpusPageModel model = page.model();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            many.add("{\"text\": \"Prompt number " + i + " says " + PROMPTS.get(i % PROMPTS.size()).replace("\"", "") + "\"}");
        }
        Path data = Files.write(folder.resolve("many.jsonl"), many);
        robot.interact(() -> {
            model.dataProperty().set(data);
            model.run();
        });
        waitFor(120, () -> model.progressProperty().get() != null, "the job's first progress");
        robot.clickOn("#corpus-cancel");
        waitFor(60, () -> !model.runningProperty().get(), "the run to stop; " + model.statusProperty().get());
        assertTrue(model.statusProperty().get().startsWith("Cancelled"), model.statusProperty().get());
        waitFor(30, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("Executor task launch")),
                "Spark's task threads to end: the job is cancelled, not left running");
        assertEquals(null, model.resultsProperty().get());
        assertTrue(Files.isDirectory(model.outProperty().get().resolve(".partitions")), "the run's manifest stays for a resume");

        // the app goes on: a new input runs
        Session before = app.model().session();
        robot.interact(() -> app.model().analyse("Still working after a cancel."));
        Session after = HeadwiseAppTest.waitForNewSession(app, before, 60);
        assertNotNull(after);

        // Run again: it finishes (from the partitions the cancelled run saved, if any)
        robot.interact(model::run);
        waitFor(240, () -> !model.runningProperty().get() && model.resultsProperty().get() != null, "the rerun; " + model.statusProperty().get());
        assertEquals(48, model.resultsProperty().get().prompts());
    }

    /** The screen point of a head's dot in the atlas (figure units through the view's scale). */
    private static Point2D screenPoint(AtlasPage page, int head) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            var centre = page.shownFigure().centre(head);
            Node content = page.atlasView().getChildrenUnmodifiable().get(0);
            return content.localToScreen(centre.getX(), centre.getY());
        }).get(10, TimeUnit.SECONDS);
    }
}
