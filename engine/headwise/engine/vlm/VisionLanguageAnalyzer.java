package headwise.engine.vlm;

import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionCapture;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;

/** Runs a vision-language model on text and one image with the attention of the tower and the decoder captured. */
public final class VisionLanguageAnalyzer {

    private VisionLanguageAnalyzer() {
    }

    public static VisionLanguageResult analyze(LoadedModel model, VisionLanguageInput input) {
        VisionLanguageModel vlm = VisionLanguageInput.of(model);
        ModelSpec towerSpec = vlm.tower().spec();
        int towerTokens = vlm.towerGrid().tokens();
        Hooks towerHooks = Hooks.none();
        AttentionCapture vision = AttentionCapture.attach(towerHooks, towerSpec, towerTokens,
                MemoryBudget.check(towerSpec, towerTokens, model.transformer().options()));
        JoinedInput joined = vlm.join(input.text().ids(), vlm.imageFeatures(input.image(), towerHooks), "input");
        AnalysisResult decoder = Analyzer.analyze(model, joinedInput(input.text(), joined, vlm));
        return new VisionLanguageResult(decoder, vision.maps(), joined.classes(), vlm.towerGrid());
    }

    /**
     * The decoder's input for text and image as a {@link ModelInput} that every analysis of a text model takes: the
     * expanded ids and tokens with the joined embeddings (the tower runs once, here, without hooks).
     */
    public static ModelInput joinedInput(LoadedModel model, VisionLanguageInput input) {
        VisionLanguageModel vlm = VisionLanguageInput.of(model);
        JoinedInput joined = vlm.join(input.text().ids(), vlm.imageFeatures(input.image(), Hooks.none()), "input");
        return joinedInput(input.text(), joined, vlm);
    }

    private static ModelInput joinedInput(ModelInput text, JoinedInput joined, VisionLanguageModel vlm) {
        return expand(text, joined, vlm).withEmbeddings(Ops.floats(joined.embedded()));
    }

    /**
     * The text input stretched over the joined sequence: the image token's id, and tokens "patch(row,col)" (the
     * tower's CLS, when kept, "[image CLS]") at the image positions; text offsets where the text had them, the
     * image token's span at the image positions.
     */
    static ModelInput expand(ModelInput text, JoinedInput joined, VisionLanguageModel vlm) {
        int length = joined.length();
        int at = joined.imageTokenAt();
        int images = length - text.length() + 1;
        int cls = vlm.classTokenInSequence() ? 1 : 0;
        int cols = joined.classes().gridCols();
        String[] tokens = new String[length];
        int[][] offsets = text.offsets() == null ? null : new int[length][];
        for (int p = 0; p < length; p++) {
            boolean image = p >= at && p < at + images;
            int source = p < at ? p : image ? at : p - images + 1;
            if (!image) {
                tokens[p] = text.tokens()[source];
            } else if (p < at + cls) {
                tokens[p] = "[image CLS]";
            } else {
                int patch = p - at - cls;
                tokens[p] = "patch(" + patch / cols + "," + patch % cols + ")";
            }
            if (offsets != null) {
                offsets[p] = text.offsets()[source].clone();
            }
        }
        return new ModelInput(joined.ids(), tokens, offsets, text.text());
    }
}
