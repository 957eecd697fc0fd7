package headwise.app.cli;

import headwise.app.ForwardOptionsProperties;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import picocli.CommandLine.Option;

/** Options every model command takes. */
final class CommonOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME",
            description = "A Hugging Face model folder, or a bundled model's name (all-MiniLM-L6-v2).")
    String model;

    @Option(names = "--debug", description = "Show stack traces of errors.")
    boolean debug;

    /** The --model, running with the forward options the -D switches set. */
    LoadedModel load() {
        ForwardOptions options = ForwardOptionsProperties.read(); // a bad switch is reported before the model loads
        return ModelLoader.load(model).withOptions(options);
    }
}
