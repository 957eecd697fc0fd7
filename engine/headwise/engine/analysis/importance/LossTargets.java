package headwise.engine.analysis.importance;

import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;

/**
 * The ids a language model's loss is scored against. For text they are the input ids. For text joined with an image
 * (a vision-language model's decoder input) every image position is left out as a target (−1, as Hugging Face's
 * LLaVA labels them −100): the image's features are not tokens the model could predict, so the loss counts the
 * predictions of text positions only (the position before the image and the image positions before the last one
 * score nothing; the last image position still predicts the first text token after the image).
 */
final class LossTargets {

    /** What {@link Readout#lossTarget} and {@link Objective} skip. */
    static final int NONE = -1;

    private LossTargets() {
    }

    static int[] of(LoadedModel model, ModelInput input) {
        int[] ids = input.ids();
        if (input.embeddings() == null || model.visionLanguage() == null || ids == null) {
            return ids;
        }
        int image = model.visionLanguage().imageTokenId(); // the joined ids hold it at every image position only
        int[] out = ids.clone();
        for (int t = 0; t < out.length; t++) {
            if (out[t] == image) {
                out[t] = NONE;
            }
        }
        return out;
    }
}
