package headwise.app.ui.probe;

import headwise.viz.export.FigureFormat;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

/** The Probing page's dialogs as JavaFX file choosers. */
public final class FxProbeFiles implements ProbeFiles {

    @Override
    public Path dataFile(Window owner) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Labelled data set");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSONL or CSV", "*.jsonl", "*.json", "*.csv"));
        return path(chooser.showOpenDialog(owner));
    }

    @Override
    public FigureTarget figureFile(Window owner) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the probing figure");
        chooser.setInitialFileName("probe.png");
        for (FigureFormat format : FigureFormat.values()) {
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(format.extension().toUpperCase(Locale.ROOT),
                    "*." + format.extension()));
        }
        Path file = path(chooser.showSaveDialog(owner));
        if (file == null) {
            return null;
        }
        String name = file.getFileName().toString();
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "png";
        return new FigureTarget(name.contains(".") ? file : file.resolveSibling(name + ".png"), FigureFormat.parse(extension));
    }

    @Override
    public Path csvFile(Window owner) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the probing scores");
        chooser.setInitialFileName("probe.csv");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
        return path(chooser.showSaveDialog(owner));
    }

    private static Path path(File file) {
        return file == null ? null : file.toPath();
    }
}
