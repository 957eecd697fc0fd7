package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.image.ImageInput;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.Ops;
import headwise.engine.run.AttentionCapture;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.VisionLanguageModel;

import java.util.Arrays;

/**
 * The analyses' inputs rebuilt from an input the app or the command line already joined
 * ({@code VisionLanguageAnalyzer.joinedInput}: expanded ids, the joined embeddings), so a page or an export needs
 * no second pass through the tower: the image positions are where the ids hold the image token.
 */
public final class JoinedRuns {

    private JoinedRuns() {
    }

    /** The joined sequence of {@code input} on {@code model}'s decoder (with the model's forward options). */
    public static JoinedSequence of(LoadedModel model, ModelInput input) {
        VisionLanguageModel vlm = require(model);
        if (input.embeddings() == null) {
            throw new HeadwiseException(model.name() + ": the input was not joined with an image");
        }
        int d = model.spec().dModel();
        return new JoinedSequence(model.transformer(), Ops.fromFloats(input.embeddings(), 1, input.length(), d),
                classes(vlm, input.ids()));
    }

    /** The class of every position of the expanded ids: the image run (the tower's CLS first, when kept, off the grid), text elsewhere. */
    public static TokenClasses classes(VisionLanguageModel vlm, int[] ids) {
        int start = -1;
        int count = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == vlm.imageTokenId()) {
                start = start < 0 ? i : start;
                count++;
            }
        }
        boolean oneRun = start >= 0 && start + count <= ids.length && Arrays.stream(ids, start, start + count).allMatch(id -> id == vlm.imageTokenId());
        if (count != vlm.imagePositions() || !oneRun) {
            throw new HeadwiseException("the input holds " + count + " image-token positions, not the image's "
                    + vlm.imagePositions() + " in one run");
        }
        int cls = vlm.classTokenInSequence() ? 1 : 0; // the tower's CLS leads the run, off the grid
        return TokenClasses.withImage(ids.length, start, cls, vlm.towerGrid().rows(), vlm.towerGrid().cols());
    }

    /**
     * The tower's CLS attention row (mean over heads) at the deepest layer whose output feeds the features: the
     * CLS-relay criterion's input ({@link ImageTokenFlow#clsRelay}); null for a tower without CLS (SigLIP).
     */
    public static double[] towerClsRow(VisionLanguageModel vlm, ImageInput image) {
        if (!vlm.tower().spec().vision().classToken()) {
            return null;
        }
        var spec = vlm.tower().spec();
        int tokens = vlm.towerGrid().tokens();
        Hooks hooks = Hooks.none();
        AttentionMaps maps = AttentionCapture.attach(hooks, spec, tokens, AttentionMaps.Precision.F32).maps();
        vlm.imageFeatures(image, hooks);
        int deepest = Arrays.stream(vlm.featureLayers()).max().orElseThrow();
        int layer = Math.max(0, Math.min(spec.layers(), deepest) - 1); // hidden state k is the output of layer k − 1
        double[] row = new double[tokens];
        for (int h = 0; h < maps.heads(); h++) {
            for (int j = 0; j < tokens; j++) {
                row[j] += maps.get(layer, h, 0, j) / maps.heads();
            }
        }
        return row;
    }

    /** FlowCut's ranking of the image tokens: the CLS relay where the tower has a CLS, else the multi-criteria score. */
    public static double[] flowRanking(double[] towerClsRow, ImageTokenFlow flow, int imageTokens) {
        return towerClsRow != null ? ImageTokenFlow.clsRelay(towerClsRow, imageTokens) : flow.cumulative();
    }

    private static VisionLanguageModel require(LoadedModel model) {
        if (model.visionLanguage() == null) {
            throw new HeadwiseException(model.name() + " is not a vision-language model");
        }
        return model.visionLanguage();
    }
}
