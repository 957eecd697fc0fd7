package headwise.engine.vlm;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionCapture;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.Matrix;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a vision-language model on text and one image with the attention of the tower and the decoder captured. */
public final class VisionLanguageAnalyzer {

    private VisionLanguageAnalyzer() {
    }

    public static VisionLanguageResult analyze(LoadedModel model, VisionLanguageInput input) {
        VisionLanguageModel vlm = VisionLanguageInput.of(model);
        ForwardOptions options = model.transformer().options();
        ModelSpec towerSpec = vlm.tower().spec();
        int towerTokens = vlm.towerGrid().tokens();
        Hooks towerHooks = Hooks.none();
        AttentionCapture vision = AttentionCapture.attach(towerHooks, towerSpec, towerTokens,
                MemoryBudget.check(towerSpec, towerTokens, options));
        INDArray features = vlm.imageFeatures(input.image(), towerHooks);

        JoinedInput joined = vlm.join(input.text().ids(), features, "input");
        ModelSpec spec = vlm.decoder().spec();
        Hooks hooks = Hooks.none();
        AttentionCapture attention = AttentionCapture.attach(hooks, spec, joined.length(),
                MemoryBudget.check(spec, joined.length(), options));
        Transformer decoder = model.transformer();
        INDArray output = decoder.runFromEmbeddings(joined.embedded(), hooks).output(); // [1, T, vocab]
        Matrix logits = new Matrix((int) output.size(1), (int) output.size(2), Ops.floats(output));
        if (!hooks.touches(HookNames.LOGITS)) {
            decoder.recycleOutput(output);
        }
        ModelInput expanded = expand(input.text(), joined, vlm);
        AnalysisResult result = new AnalysisResult(model.name(), spec, expanded, attention.maps(), logits);
        AttentionMaps towerMaps = vision.maps();
        return new VisionLanguageResult(result, towerMaps, joined.classes(), vlm.towerGrid());
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
