package headwise.app.cli;

import headwise.app.export.Exporter;
import headwise.app.export.SessionAnalysis;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code report}: every view in PNG, SVG and PDF, every data file, and an index.html, into one folder. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write every view (png, svg, pdf) and every data file to a folder, with an index.html showing the figures.")
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Mixin
    InputOptions input;

    @Mixin
    FigureOptions figure;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--keep-image-size", description = "With --image: keep the image's own size (see analyze --help).")
    boolean keepImageSize;

    @Override
    public Integer call() {
        double scale = figure.pngScale(1);
        PrintWriter console = command.commandLine().getOut();
        try (LoadedModel model = common.load()) {
            ModelInput modelInput = input.resolve(model, keepImageSize);
            SessionAnalysis.Options options = figure.analysisOptions(model, modelInput, keepImageSize);
            Session session = SessionAnalysis.runAvailable(model, modelInput, SessionAnalysis.all(), options,
                    problem -> console.println("note: " + problem));
            Exporter.ExportSummary summary = Exporter.exportAll(session, out, scale);
            for (Map.Entry<ViewKind, String> skipped : summary.skipped().entrySet()) {
                console.println("skipped " + skipped.getKey().cliName() + ": " + skipped.getValue());
            }
            console.printf("%s: %d files -> %s%n", model.name(), summary.files().size(), out.resolve("index.html"));
        }
        return 0;
    }
}
