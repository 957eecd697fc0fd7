package headwise.app.cli;

import headwise.app.io.ImageFiles;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** What to run the model on: exactly one of --text, --ids, --image. */
final class InputOptions {

    @Option(names = "--text", description = "Text, tokenized by the model's tokenizer.json (special tokens added).")
    String text;

    @Option(names = "--ids", description = "Token ids, comma-separated, used exactly as given.")
    String ids;

    @Option(names = "--image", description = "An image (PNG, JPEG, GIF, BMP), for vision models (ViT, DeiT).")
    Path image;

    ModelInput resolve(LoadedModel model) {
        int given = (text != null ? 1 : 0) + (ids != null ? 1 : 0) + (image != null ? 1 : 0);
        if (given != 1) {
            throw new HeadwiseException("give exactly one of --text, --ids, --image");
        }
        if (image != null) {
            // say so before decoding: the model, not the file, is the problem
            if (model.spec().vision() == null) {
                throw HeadwiseException.inFile(image, model.name() + " (" + model.spec().architecture()
                        + ") takes text or ids, not images");
            }
            return ModelInput.fromImage(model, ImageFiles.read(image));
        }
        return text != null ? ModelInput.fromText(model, text) : ModelInput.fromIds(model, ModelInput.parseIds(ids));
    }
}
