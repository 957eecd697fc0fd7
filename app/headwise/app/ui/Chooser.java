package headwise.app.ui;

import headwise.viz.export.FigureFormat;
import javafx.stage.Window;

import java.nio.file.Path;

/** The file dialogs the window opens; tests replace them. Every method returns null when the user cancels. */
public interface Chooser {

    /** Where one figure goes, in which format, at which PNG scale. */
    record ExportTarget(Path file, FigureFormat format, double scale) {
    }

    Path modelFolder(Window owner);

    /** A single-file model (.gguf); null, as if cancelled, where a test's chooser does not offer one. */
    default Path modelFile(Window owner) {
        return null;
    }

    Path image(Window owner);

    Path sessionToOpen(Window owner);

    Path sessionToSave(Window owner);

    /** The format, scale and file of one figure's export; {@code title} heads the dialog, {@code baseName} the file offered. */
    ExportTarget exportFile(Window owner, String title, String baseName);

    Path exportFolder(Window owner);
}
