package headwise.app.cli;

import picocli.CommandLine.Option;

/** Options every model command takes. */
final class CommonOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME",
            description = "A Hugging Face model folder, or a bundled model's name (all-MiniLM-L6-v2).")
    String model;

    @Option(names = "--debug", description = "Show stack traces of errors.")
    boolean debug;
}
