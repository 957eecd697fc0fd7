package headwise.app.cli;

import headwise.app.io.ImageFiles;
import headwise.engine.HeadwiseException;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.VisionLanguageModel;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What to run the model on: exactly one of --text, --ids, --image; for a vision-language model (LLaVA), --image
 * with one of --text, --ids ({@link #resolveVisionLanguage}).
 */
final class InputOptions {

    /** The commands that run a vision-language model on text joined with --image; the others run its decoder on text. */
    static final String JOINED_COMMANDS = "analyze, and export with --view vlm-shares, vlm-overlay, "
            + "vlm-vhd, vlm-pruning, relevance or faithfulness, or model-view or heatmap with --keys classes";

    /** More patches than this are refused outright (the attention alone would be terabytes). */
    static final long MAX_PATCHES = 1_000_000;

    @Option(names = "--text", description = "Text, tokenized by the model's tokenizer.json (special tokens added).")
    String text;

    @Option(names = "--ids", description = "Token ids, comma-separated, used exactly as given.")
    String ids;

    @Option(names = "--image", description = "An image (PNG, JPEG, GIF, BMP), for vision models (ViT, DeiT); for a "
            + "vision-language model (LLaVA) together with --text or --ids holding one image token, in " + JOINED_COMMANDS + ".")
    Path image;

    ModelInput resolve(LoadedModel model) {
        return resolve(model, false);
    }

    /**
     * @param keepImageSize for --image: no resize or crop; the image's own size (a multiple of the patch size) sets
     *                      the patch grid and the position embeddings are interpolated to it
     */
    ModelInput resolve(LoadedModel model, boolean keepImageSize) {
        if (model.visionLanguage() != null) {
            return resolveTextOfVisionLanguage(model);
        }
        int given = (text != null ? 1 : 0) + (ids != null ? 1 : 0) + (image != null ? 1 : 0);
        if (given != 1) {
            throw new HeadwiseException("give exactly one of --text, --ids, --image");
        }
        if (image == null && keepImageSize) {
            throw new HeadwiseException("--keep-image-size applies only to --image");
        }
        if (image != null) {
            return ModelInput.fromImage(model, readImage(model, keepImageSize), keepImageSize);
        }
        return text != null ? ModelInput.fromText(model, text) : ModelInput.fromIds(model, ModelInput.parseIds(ids));
    }

    /** --image with exactly one of --text, --ids (the one image token marking where the image goes). */
    VisionLanguageInput resolveVisionLanguage(LoadedModel model, boolean keepImageSize) {
        if (image == null || (text == null) == (ids == null)) {
            throw new HeadwiseException(model.name() + " is a vision-language model: give --image FILE with exactly one of --text, --ids");
        }
        if (keepImageSize) {
            throw new HeadwiseException("--keep-image-size does not apply to a vision-language model (its tower takes one image size)");
        }
        VisionLanguageModel vlm = model.visionLanguage();
        PixelImage picture = ImageFiles.read(image, ImagePreprocessor.resizeSide(vlm.preprocessor()));
        return text != null ? VisionLanguageInput.fromText(model, text, picture)
                : VisionLanguageInput.fromIds(model, ModelInput.parseIds(ids), picture);
    }

    /**
     * A vision-language model run on text alone (the commands outside {@link #JOINED_COMMANDS}): refused when an
     * image is given or the text holds the image token, which would then run as a plain token.
     */
    private ModelInput resolveTextOfVisionLanguage(LoadedModel model) {
        if (image != null) {
            throw new HeadwiseException("--image: this command runs " + model.name()
                    + " on text only; text with an image goes through " + JOINED_COMMANDS);
        }
        if ((text == null) == (ids == null)) {
            throw new HeadwiseException("give exactly one of --text, --ids");
        }
        ModelInput input = text != null ? ModelInput.fromText(model, text) : ModelInput.fromIds(model, ModelInput.parseIds(ids));
        int imageToken = model.visionLanguage().imageTokenId();
        if (Arrays.stream(input.ids()).anyMatch(id -> id == imageToken)) {
            throw new HeadwiseException((text != null ? "--text" : "--ids") + ": the input holds the image token (id " + imageToken
                    + ") but this command runs on text only; text with an image goes through " + JOINED_COMMANDS + " with --image");
        }
        return input;
    }

    /**
     * Decodes --image as the model's preprocessing needs it: huge images may be subsampled while decoding when they
     * are going to be resized anyway; an image that keeps its own size is decoded whole, after checking from its
     * header that the run would fit in memory.
     */
    private PixelImage readImage(LoadedModel model, boolean keepImageSize) {
        ModelSpec spec = model.spec();
        // say so before decoding: the model, not the file, is the problem
        if (spec.vision() == null) {
            throw HeadwiseException.inFile(image, model.name() + " (" + spec.architecture() + ") takes text or ids, not images");
        }
        PreprocessorConfig config = PreprocessorConfig.read(model.folder(), spec);
        if (!ImagePreprocessor.keepsOwnSize(config, keepImageSize)) {
            return ImageFiles.read(image, ImagePreprocessor.resizeSide(config));
        }
        int[] size = ImageFiles.size(image);
        int[] kept = ImagePreprocessor.outputSize(config, keepImageSize, size[0], size[1]);
        int p = spec.vision().patchSize();
        long patches = (long) (kept[0] / p) * (kept[1] / p);
        String remedy = keepImageSize ? "drop --keep-image-size to have it resized"
                : PreprocessorConfig.FILE_NAME + " says do_resize false, so make the image smaller";
        if (patches > MAX_PATCHES) {
            throw HeadwiseException.inFile(image, "kept at its own size, the " + kept[0] + "x" + kept[1] + " image makes "
                    + patches + " patches, more than " + MAX_PATCHES + "; " + remedy);
        }
        int tokens = (int) patches + PatchGrid.specialTokens(spec.vision());
        try {
            MemoryBudget.check(spec, tokens, model.transformer().options());
        } catch (HeadwiseException e) {
            throw HeadwiseException.inFile(image, "kept at its own size, the " + kept[0] + "x" + kept[1] + " image makes "
                    + tokens + " tokens: " + e.getMessage() + "; " + remedy);
        }
        return ImageFiles.readFullSize(image);
    }
}
