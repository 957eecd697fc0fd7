package headwise.app.ui.model;

import headwise.app.io.ImageFiles;
import headwise.app.session.SessionState;
import headwise.engine.HeadwiseException;
import headwise.engine.image.ImageInput;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PixelImage;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import headwise.engine.vlm.VisionLanguageModel;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The input of a vision-language model (LLaVA) in the window: the session's text with the image token where the
 * image goes, and the session's image, joined into one sequence the decoder runs like text (every page then reads
 * it). A model opens with an example: without text, {@link #EXAMPLE_PROMPT}; text without the image token gets it in
 * front (as LLaVA's prompts have it); without an image, the model folder's examples/ image, else the ViT sample's.
 */
public final class VisionLanguageRun {

    static final String EXAMPLE_PROMPT = "What is in this image?";

    private VisionLanguageRun() {
    }

    static ModelInput input(LoadedModel model, SessionState s, String text) {
        PixelImage image = image(model, s);
        String prompt = text == null || text.isBlank() ? EXAMPLE_PROMPT : text;
        VisionLanguageModel vlm = model.visionLanguage();
        VisionLanguageInput input;
        if (model.hasTokenizer()) {
            String imageToken = model.tokenizer().tokensOf(new int[] {vlm.imageTokenId()})[0];
            input = VisionLanguageInput.fromText(model, prompt.contains(imageToken) ? prompt : imageToken + "\n" + prompt, image);
        } else {
            input = VisionLanguageInput.fromIds(model, ModelInput.parseIds(prompt), image); // ids, one of them the image token
        }
        return VisionLanguageAnalyzer.joinedInput(model, input);
    }

    /** The session's image, or the example image when it has none, as read for {@code model}'s preprocessing. */
    public static PixelImage image(LoadedModel model, SessionState s) {
        return ImageFiles.read(imageFile(model, s), ImagePreprocessor.resizeSide(model.visionLanguage().preprocessor()));
    }

    /**
     * The last image {@link #prepared} made: for which model (weakly: a replaced model must be collectable), the file
     * it was read from, when that was last changed, and what it became.
     */
    private record Prepared(java.lang.ref.WeakReference<LoadedModel> model, Path file, long modified, ImageInput image) {
    }

    private static volatile Prepared last;

    /**
     * That image as {@code model}'s tower saw it (resized, cropped, normalised), kept for the next call on the same
     * unchanged file and model: reading and preparing a photo took about 45 ms, paid on every click of a row before.
     */
    public static ImageInput prepared(LoadedModel model, SessionState s) {
        Path file = imageFile(model, s);
        long modified = lastModified(file);
        Prepared p = last;
        if (p != null && p.model().get() == model && p.file().equals(file) && p.modified() == modified) {
            return p.image();
        }
        var vlm = model.visionLanguage();
        ImageInput image = ImagePreprocessor.prepare(image(model, s), vlm.preprocessor(), vlm.tower().spec().vision(), false);
        last = new Prepared(new java.lang.ref.WeakReference<>(model), file, modified, image);
        return image;
    }

    private static Path imageFile(LoadedModel model, SessionState s) {
        return s.hasImage() ? Path.of(s.image()) : exampleImage(model).orElseThrow(() -> new HeadwiseException(
                model.name() + " takes an image with its text: choose one (Image\u2026) or drop it on the window"));
    }

    private static long lastModified(Path file) {
        try {
            return java.nio.file.Files.getLastModifiedTime(file).toMillis();
        } catch (java.io.IOException e) {
            return -1; // unreadable: reading it says why
        }
    }

    /** The first image of the model folder's examples/, else the ViT sample's example image. */
    static Optional<Path> exampleImage(LoadedModel model) {
        return BundledModels.exampleImages(model.folder()).stream().findFirst()
                .or(() -> BundledModels.samples().stream().map(BundledModels.Sample::exampleImage).filter(p -> p != null).findFirst());
    }
}
