package headwise.app.ui.probe;

import headwise.viz.export.FigureFormat;
import javafx.stage.Window;

import java.nio.file.Path;

/** The file dialogs of the Probing page; tests replace them. Each returns null when the user cancels. */
public interface ProbeFiles {

    /** Where a figure goes, in which format. */
    record FigureTarget(Path file, FigureFormat format) {
    }

    /** A labelled data set (.jsonl or .csv). */
    Path dataFile(Window owner);

    FigureTarget figureFile(Window owner);

    Path csvFile(Window owner);
}
