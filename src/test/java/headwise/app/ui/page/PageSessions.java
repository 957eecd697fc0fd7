package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import headwise.app.io.ImageFiles;
import headwise.app.session.Session;
import headwise.engine.Fixtures;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;

import java.util.EnumSet;

/** Real sessions for the page tests, each computed once (off the FX thread) per test JVM. */
final class PageSessions {

    static final String MINILM_TEXT = "The cat sat on the mat because it was tired.";

    private static Session gpt2;
    private static Session minilm;
    private static Session vit;

    private PageSessions() {
    }

    /** gpt2_f32 fixture (causal LM, 3 layers × 4 heads): every part, compared with one token changed. */
    static synchronized Session gpt2() {
        if (gpt2 == null) {
            try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
                int[] ids = Fixtures.inputIds("gpt2_f32");
                int[] other = ids.clone();
                other[3] = 5;
                SessionAnalysis.Options options = new SessionAnalysis.Options(1, 2, false, ModelInput.fromIds(model, other), -1, 0.04);
                gpt2 = SessionAnalysis.run(model, ModelInput.fromIds(model, ids), SessionAnalysis.all(), options);
            }
        }
        return gpt2;
    }

    /** The bundled MiniLM on the example sentence: metrics, importance and flow, layer 2 selected. */
    static synchronized Session minilm() {
        if (minilm == null) {
            try (LoadedModel model = ModelLoader.load(BundledModels.MINILM)) {
                ModelInput input = ModelInput.fromText(model, MINILM_TEXT);
                SessionAnalysis.Options options = new SessionAnalysis.Options(2, -1, false,
                        ModelInput.fromText(model, "The dog sat on the mat because it was tired."), -1, 0.04);
                minilm = SessionAnalysis.run(model, input, SessionAnalysis.all(), options);
            }
        }
        return minilm;
    }

    /** vit_f32 fixture on its reference image, with metrics. */
    static synchronized Session vit() {
        if (vit == null) {
            try (LoadedModel model = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
                ModelInput input = ModelInput.fromImage(model,
                        ImageFiles.read(Fixtures.model("vit_f32").resolve("reference").resolve("image.png")));
                vit = SessionAnalysis.run(model, input, EnumSet.of(SessionAnalysis.Part.METRICS), SessionAnalysis.Options.defaults());
            }
        }
        return vit;
    }
}
