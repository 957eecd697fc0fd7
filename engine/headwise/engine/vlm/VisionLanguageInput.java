package headwise.engine.vlm;

import headwise.engine.HeadwiseException;
import headwise.engine.image.ImageInput;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PixelImage;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;

/**
 * Text (or ids) with one image, for a vision-language model: {@code text} holds the ids as tokenized (with the one
 * image token) and {@code image} the image prepared for the tower as preprocessor_config.json says.
 */
public record VisionLanguageInput(ModelInput text, ImageInput image) {

    /** Tokenizes {@code text} (which must contain the image token, e.g. '<image>') and prepares {@code image}. */
    public static VisionLanguageInput fromText(LoadedModel model, String text, PixelImage image) {
        VisionLanguageModel vlm = of(model);
        ModelInput tokens = ModelInput.fromText(model, text);
        vlm.imageTokenPosition(tokens.ids(), "--text");
        return new VisionLanguageInput(tokens, prepare(vlm, image));
    }

    /** Ids used as given (one of them the image token) and {@code image}. */
    public static VisionLanguageInput fromIds(LoadedModel model, int[] ids, PixelImage image) {
        VisionLanguageModel vlm = of(model);
        vlm.imageTokenPosition(ids, "--ids");
        return new VisionLanguageInput(ModelInput.fromIds(model, ids), prepare(vlm, image));
    }

    private static ImageInput prepare(VisionLanguageModel vlm, PixelImage image) {
        return ImagePreprocessor.prepare(image, vlm.preprocessor(), vlm.tower().spec().vision(), false);
    }

    /** The model's vision-language part, or a one-line refusal for a model that takes no image with its text. */
    static VisionLanguageModel of(LoadedModel model) {
        if (model.visionLanguage() == null) {
            throw new HeadwiseException(model.name() + " (" + model.spec().architecture() + ") is not a vision-language model");
        }
        return model.visionLanguage();
    }
}
