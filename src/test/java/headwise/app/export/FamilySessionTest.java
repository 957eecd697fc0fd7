package headwise.app.export;

import headwise.app.session.Session;
import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import headwise.viz.export.PngExport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the app computes when it opens a checkpoint of a newer family (every part: metrics, ablation and gradient
 * importance, flow) and every view it can draw from that, as the model view, head page and exports draw them.
 * Gemma-2/3 have no token flow (their attention output is normed): one line says so and the rest is there.
 */
class FamilySessionTest {

    @ParameterizedTest
    @ValueSource(strings = {"pythia_f32", "gemma2_f32", "gemma3_f32", "qwen3_f32", "phi3_f32", "opt_f32"})
    void everyPartAndViewOfANewerFamily(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            List<String> problems = new ArrayList<>();
            Session s = SessionAnalysis.runAvailable(model, input, SessionAnalysis.all(), SessionAnalysis.Options.defaults(),
                    problems::add);
            assertNotNull(s.metrics(), fixture);
            assertNotNull(s.ablation(), fixture);
            assertNotNull(s.gradient(), fixture);
            if (fixture.startsWith("gemma")) {
                assertNull(s.flow());
                assertEquals(1, problems.size(), problems.toString());
                assertTrue(problems.get(0).startsWith("flow: token contributions are not defined"), problems.get(0));
            } else {
                assertNotNull(s.flow(), fixture);
                assertTrue(problems.isEmpty(), problems.toString());
            }
            int drawn = 0;
            for (ViewKind view : ViewKind.values()) {
                if (Exporter.unavailable(view, s) == null) {
                    BufferedImage image = PngExport.render(Exporter.figure(view, s), 1);
                    assertTrue(image.getWidth() > 0 && image.getHeight() > 0, view.cliName());
                    drawn++;
                }
            }
            assertTrue(drawn >= ViewKind.values().length - 4, fixture + " drew only " + drawn + " views");
        }
    }
}
