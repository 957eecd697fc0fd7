package headwise.app.ui.core;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.ImportanceChoice;
import headwise.app.session.Results;
import headwise.app.session.Selection;
import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.page.ViewState;
import headwise.engine.Fixtures;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model view with the gradient bar measure chosen on an input too long for the gradient's backward pass: no
 * "Compute" button that would do nothing, and the reason beside the bars' chooser. A short input's missing gradient
 * is still offered as work.
 */
@ExtendWith(ApplicationExtension.class)
class GradientLeftOutTest {

    private static Results shortRun;
    private static Results longRun;
    private ModelViewPage page;
    private ModelViewPageModel model;

    @BeforeAll
    static void runs() {
        try (LoadedModel m = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(m, Fixtures.inputIds("gpt2_f32"));
            AnalysisResult run = Analyzer.analyze(m, input);
            AblationScores zero = AblationImportance.compute(m, input, Interventions.Ablation.ZERO,
                    AblationImportance.Options.defaults());
            shortRun = SessionAnalysis.addParts(m, Results.of(run), EnumSet.of(SessionAnalysis.Part.METRICS),
                    SessionAnalysis.Options.defaults(), Interventions.Ablation.ZERO).withImportance(zero, null);
            // 20,000 positions: the backward pass needs terabytes on any machine (only its budget is asked; the figure
            // draws the short run's maps)
            int[] ids = new int[20_000];
            AnalysisResult longResult = new AnalysisResult(run.modelName(), run.spec(),
                    new ModelInput(ids, new String[ids.length], null, null), run.attention(), run.output());
            longRun = Results.of(longResult).withMetrics(shortRun.metrics()).withImportance(zero, null);
        }
    }

    @Start
    void start(Stage stage) {
        model = new ModelViewPageModel(new AppModel(null), new ViewState((l, h) -> { }, part -> { }));
        page = new ModelViewPage(model);
        stage.setScene(new Scene((Parent) page.view(), 1000, 420));
        stage.show();
    }

    @Test
    void theGradientMeasureOfATooLongInputIsExplainedNotOffered(FxRobot robot) throws Exception {
        Session gradientLong = new Session(longRun, Selection.defaults().withImportance(ImportanceChoice.GRADIENT));
        robot.interact(() -> page.show(gradientLong));
        String reason = model.measureLeftOut(gradientLong);
        assertTrue(reason != null && reason.contains("backward pass") && reason.contains("20000 tokens"), reason);
        assertTrue(button(robot).isDisabled(), "nothing to compute: the gradient cannot fit, the rest is there");
        assertTrue(info(robot).startsWith("Frames: head types; no gradient bars: gradient importance of 20000 tokens"),
                info(robot));
        assertTrue(info(robot).contains("zero or mean ablation can be shown"), info(robot));
        assertEquals(0, model.marksSeconds(gradientLong), "importance is complete: no estimate");
        snapshot(robot, "model-view-gradient-left-out.png");

        Session zeroLong = new Session(longRun, Selection.defaults().withImportance(ImportanceChoice.ZERO_ABLATION));
        robot.interact(() -> page.show(zeroLong));
        assertNull(model.measureLeftOut(zeroLong));
        assertTrue(button(robot).isDisabled());
        assertTrue(info(robot).startsWith("Frames: head types; bars: zero ablation importance."), info(robot));

        Session meanLong = new Session(longRun, Selection.defaults().withImportance(ImportanceChoice.MEAN_ABLATION));
        robot.interact(() -> page.show(meanLong));
        assertFalse(button(robot).isDisabled(), "mean ablation is still to compute on the long input");

        Session gradientShort = new Session(shortRun, Selection.defaults().withImportance(ImportanceChoice.GRADIENT));
        robot.interact(() -> page.show(gradientShort));
        assertNull(model.measureLeftOut(gradientShort), "a short input's gradient can be computed");
        assertFalse(button(robot).isDisabled(), "the short input's gradient is offered");
        assertTrue(info(robot).startsWith("Click a head to open it."), info(robot));
    }

    private void snapshot(FxRobot robot, String name) throws Exception {
        WritableImage[] image = new WritableImage[1];
        robot.interact(() -> image[0] = page.view().snapshot(null, null));
        Path folder = Files.createDirectories(Path.of("target", "screenshots"));
        ImageIO.write(SwingFXUtils.fromFXImage(image[0], null), "png", folder.resolve(name).toFile());
    }

    private Button button(FxRobot robot) {
        return robot.from(page.view()).lookup("#compute-marks").queryButton();
    }

    private String info(FxRobot robot) {
        return robot.from(page.view()).lookup("#model-view-info").queryAs(Label.class).getText();
    }
}
