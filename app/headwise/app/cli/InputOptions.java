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
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** What to run the model on: exactly one of --text, --ids, --image. */
final class InputOptions {

    /** More patches than this are refused outright (the attention alone would be terabytes). */
    static final long MAX_PATCHES = 1_000_000;

    @Option(names = "--text", description = "Text, tokenized by the model's tokenizer.json (special tokens added).")
    String text;

    @Option(names = "--ids", description = "Token ids, comma-separated, used exactly as given.")
    String ids;

    @Option(names = "--image", description = "An image (PNG, JPEG, GIF, BMP), for vision models (ViT, DeiT).")
    Path image;

    ModelInput resolve(LoadedModel model) {
        return resolve(model, false);
    }

    /**
     * @param keepImageSize for --image: no resize or crop; the image's own size (a multiple of the patch size) sets
     *                      the patch grid and the position embeddings are interpolated to it
     */
    ModelInput resolve(LoadedModel model, boolean keepImageSize) {
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
