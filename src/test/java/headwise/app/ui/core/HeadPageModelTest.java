package headwise.app.ui.core;

import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The head page reads a head of recomputed attention (seconds at 8k tokens) in the background and draws it when it
 * arrives; stored maps are drawn at once. Either way the matrix is the run's own.
 */
@ExtendWith(ApplicationExtension.class)
class HeadPageModelTest {

    private HeadPageModel model;

    @Start
    void start(Stage stage) {
        model = new HeadPageModel(new AppModel(null));
    }

    private static AnalysisResult run(ForwardOptions.AttentionStorage storage) {
        try (LoadedModel m = ModelLoader.load(Fixtures.model("gpt2_f32").toString())
                .withOptions(ForwardOptions.defaults().withAttentionStorage(storage))) {
            return Analyzer.analyze(m, ModelInput.fromIds(m, Fixtures.inputIds("gpt2_f32")));
        }
    }

    @Test
    void aRecomputedHeadIsReadInTheBackgroundAndAStoredOneAtOnce(FxRobot robot) throws Exception {
        AnalysisResult recomputed = run(ForwardOptions.AttentionStorage.RECOMPUTE);
        assertEquals(AttentionMaps.Precision.RECOMPUTE, recomputed.attention().precision());
        AtomicReference<HeadPageModel.HeadPictures> arrived = new AtomicReference<>();
        AtomicReference<HeadPageModel.HeadPictures> atOnce = new AtomicReference<>();
        robot.interact(() -> {
            model.drawHead(Session.of(recomputed), 2, 1, false, arrived::set);
            atOnce.set(arrived.get());
        });
        assertNull(atOnce.get(), "not read on the FX thread");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> arrived.get() != null);
        assertArrayEquals(recomputed.attention().head(2, 1), arrived.get().matrix());
        assertNotNull(arrived.get().headView());

        AnalysisResult stored = run(ForwardOptions.AttentionStorage.F32);
        AtomicReference<HeadPageModel.HeadPictures> drawn = new AtomicReference<>();
        robot.interact(() -> model.drawHead(Session.of(stored), 2, 1, false, drawn::set));
        assertNotNull(drawn.get(), "stored maps: drawn in the same call");
        assertArrayEquals(stored.attention().head(2, 1), drawn.get().matrix());
        assertArrayEquals(recomputed.attention().head(2, 1), stored.attention().head(2, 1), 1e-6f);
    }
}
