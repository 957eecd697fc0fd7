package headwise.engine.run;

import headwise.engine.HeadwiseException;
import headwise.engine.image.ImageInput;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.tokenize.TokenizedText;

/**
 * The exact token sequence a model sees. {@code offsets} ([start, end) into {@code text}) and {@code text}
 * are null when the input was given as ids. For vision models {@code image} holds the preprocessed image
 * (channels-first pixels, its patch grid, and the 8-bit image the model saw) and {@code ids} are placeholders
 * for the CLS/patch tokens; otherwise it is null. For text joined with an image (a vision-language model)
 * {@code embeddings} holds the decoder's input [T·d] as the projected image and the text's embeddings make it, and
 * {@code ids} the expanded sequence (the image token's id at every image position); otherwise it is null.
 */
public record ModelInput(int[] ids, String[] tokens, int[][] offsets, String text, ImageInput image, float[] embeddings) {

    public ModelInput(int[] ids, String[] tokens, int[][] offsets, String text) {
        this(ids, tokens, offsets, text, null, null);
    }

    public ModelInput(int[] ids, String[] tokens, int[][] offsets, String text, ImageInput image) {
        this(ids, tokens, offsets, text, image, null);
    }

    /** This input with the decoder's joined embeddings [ids.length · d] (a vision-language model's text and image). */
    public ModelInput withEmbeddings(float[] joined) {
        return new ModelInput(ids, tokens, offsets, text, image, joined);
    }

    /** The preprocessed image [channels, height, width] channels-first, or null for token input. */
    public float[] pixels() {
        return image == null ? null : image.pixels();
    }

    /** The patch grid of an image input, or null for token input. */
    public PatchGrid grid() {
        return image == null ? null : image.grid();
    }

    public int length() {
        return ids.length;
    }

    /** Tokenizes {@code text} with the model's tokenizer (special tokens as its post-processor adds them). */
    public static ModelInput fromText(LoadedModel model, String text) {
        requireTokens(model, "--text");
        TokenizedText t = model.tokenizer().encode(text);
        ModelInput input = new ModelInput(t.ids(), t.tokens(), t.offsets(), text);
        input.validate(model.spec(), "--text");
        return input;
    }

    /** Ids used exactly as given: no special tokens added. */
    public static ModelInput fromIds(LoadedModel model, int[] ids) {
        requireTokens(model, "--ids");
        String[] tokens = model.hasTokenizer() ? model.tokenizer().tokensOf(checked(model.spec(), ids)) : placeholderTokens(ids);
        ModelInput input = new ModelInput(ids.clone(), tokens, null, null);
        input.validate(model.spec(), "--ids");
        return input;
    }

    /**
     * An image for a vision model, preprocessed as its preprocessor_config.json says. Tokens: "[CLS]", DeiT's
     * "[DIST]", then "patch(row,col)" row-major; ids are the placeholders 0..T−1.
     */
    public static ModelInput fromImage(LoadedModel model, PixelImage image) {
        return fromImage(model, image, false);
    }

    /**
     * @param keepImageSize no resize and no crop: the image keeps its own size (both sides multiples of the patch
     *                      size) and the position embeddings are interpolated to its patch grid, as Hugging Face's
     *                      {@code interpolate_pos_encoding=True} does. preprocessor_config.json's do_resize false
     *                      keeps the size too.
     */
    public static ModelInput fromImage(LoadedModel model, PixelImage image, boolean keepImageSize) {
        ModelSpec spec = model.spec();
        ModelSpec.Vision vision = spec.vision();
        if (vision == null) {
            throw new HeadwiseException(image.source() + ": " + model.name() + " (" + spec.architecture() + ") takes text or ids, not images");
        }
        ImageInput prepared = ImagePreprocessor.prepare(image, PreprocessorConfig.read(model.folder(), spec), vision, keepImageSize);
        PatchGrid grid = prepared.grid();
        String[] tokens = new String[grid.tokens()];
        int t = 0;
        if (vision.classToken()) {
            tokens[t++] = "[CLS]";
        }
        if (vision.distillationToken()) {
            tokens[t++] = "[DIST]";
        }
        for (int row = 0; row < grid.rows(); row++) {
            for (int col = 0; col < grid.cols(); col++) {
                tokens[t++] = "patch(" + row + "," + col + ")";
            }
        }
        int[] ids = new int[tokens.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        ModelInput input = new ModelInput(ids, tokens, null, null, prepared);
        input.validate(spec, image.source());
        return input;
    }

    /** A clear error when a vision model is given text or ids. */
    private static void requireTokens(LoadedModel model, String source) {
        if (model.spec().vision() != null) {
            throw new HeadwiseException(source + ": " + model.name() + " (" + model.spec().architecture()
                    + ") is a vision model; give it an image (--image FILE)");
        }
    }

    /** Parses "5,17,3" (spaces allowed). */
    public static int[] parseIds(String csv) {
        String[] parts = csv.trim().split("\\s*,\\s*");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new HeadwiseException("--ids: '" + parts[i] + "' is not an integer token id");
            }
        }
        return ids;
    }

    private static int[] checked(ModelSpec spec, int[] ids) {
        new ModelInput(ids, placeholderTokens(ids), null, null).validate(spec, "--ids");
        return ids;
    }

    private static String[] placeholderTokens(int[] ids) {
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = "#" + ids[i];
        }
        return tokens;
    }

    /** Ids inside the vocabulary, length within the model's positions; for vision models, pixels of the right size. */
    public void validate(ModelSpec spec, String source) {
        if (ids.length == 0) {
            throw new HeadwiseException(source + ": the input is empty");
        }
        if (spec.vision() != null || image != null) {
            validateImage(spec.vision(), source);
            return;
        }
        if (embeddings != null && embeddings.length != (long) ids.length * spec.dModel()) {
            throw new HeadwiseException(source + ": " + embeddings.length + " embedding values for " + ids.length
                    + " positions of width " + spec.dModel());
        }
        if (spec.maxPositions() > 0 && ids.length > spec.maxPositions()) {
            throw new HeadwiseException(source + ": input is " + ids.length + " tokens, longer than the model's "
                    + spec.maxPositions() + " positions; shorten it to at most " + spec.maxPositions() + " tokens");
        }
        for (int id : ids) {
            if (id < 0 || id >= spec.vocabSize()) {
                throw new HeadwiseException(source + ": token id " + id + " is outside the vocabulary (0.." + (spec.vocabSize() - 1) + ")");
            }
        }
    }

    private void validateImage(ModelSpec.Vision vision, String source) {
        if (vision == null) {
            throw new HeadwiseException(source + ": this model takes text or token ids, not an image");
        }
        if (image == null) {
            throw new HeadwiseException(source + ": this is a vision model; give it an image");
        }
        PatchGrid grid = image.grid();
        if (grid.patchSize() != vision.patchSize() || grid.specialTokens() != PatchGrid.specialTokens(vision)
                || image.pixels().length != vision.channels() * grid.width() * grid.height() || ids.length != grid.tokens()) {
            throw new HeadwiseException(source + ": expected " + vision.channels() + "x" + grid.height() + "x" + grid.width()
                    + " pixels in " + vision.patchSize() + "-pixel patches and " + grid.tokens() + " tokens, got "
                    + image.pixels().length + " pixels in " + grid.patchSize() + "-pixel patches and " + ids.length + " tokens");
        }
    }
}
