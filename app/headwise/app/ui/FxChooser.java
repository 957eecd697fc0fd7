package headwise.app.ui;

import headwise.viz.export.FigureFormat;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.layout.GridPane;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;

/** The real dialogs: JavaFX file and folder choosers, and a small format/scale dialog before a figure export. */
final class FxChooser implements Chooser {

    private File lastFolder;

    @Override
    public Path modelFolder(Window owner) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open a model folder (config.json, *.safetensors, tokenizer.json)");
        return folder(chooser.showDialog(owner));
    }

    @Override
    public Path modelFile(Window owner) {
        return file(files("Open a GGUF model file", new FileChooser.ExtensionFilter("GGUF models", "*.gguf")).showOpenDialog(owner));
    }

    @Override
    public Path image(Window owner) {
        FileChooser chooser = files("Open an image", new FileChooser.ExtensionFilter("Images", "*.png", "*.jpg", "*.jpeg", "*.gif", "*.bmp"));
        return file(chooser.showOpenDialog(owner));
    }

    @Override
    public Path sessionToOpen(Window owner) {
        return file(files("Open a session", sessions()).showOpenDialog(owner));
    }

    @Override
    public Path sessionToSave(Window owner) {
        FileChooser chooser = files("Save the session", sessions());
        chooser.setInitialFileName("session.json");
        return file(chooser.showSaveDialog(owner));
    }

    @Override
    public ExportTarget exportFile(Window owner, String title, String baseName) {
        Dialog<ButtonType> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle("Export " + title);
        ComboBox<FigureFormat> format = new ComboBox<>();
        format.getItems().setAll(FigureFormat.values());
        format.setValue(FigureFormat.PNG);
        Spinner<Double> scale = new Spinner<>(0.5, 8.0, 2.0, 0.5);
        scale.disableProperty().bind(format.valueProperty().isNotEqualTo(FigureFormat.PNG));
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("Format"), format);
        grid.addRow(1, new Label("PNG scale (pixels per point)"), scale);
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().getButtonTypes().setAll(ButtonType.OK, ButtonType.CANCEL);
        if (dialog.showAndWait().orElse(ButtonType.CANCEL) != ButtonType.OK) {
            return null;
        }
        FigureFormat f = format.getValue();
        FileChooser chooser = files("Export " + title, new FileChooser.ExtensionFilter(f.name(), "*." + f.extension()));
        chooser.setInitialFileName(baseName + "." + f.extension());
        Path file = file(chooser.showSaveDialog(owner));
        return file == null ? null : new ExportTarget(file, f, scale.getValue());
    }

    @Override
    public Path exportFolder(Window owner) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Export everything to a folder (figures, data, index.html)");
        return folder(chooser.showDialog(owner));
    }

    private FileChooser files(String title, FileChooser.ExtensionFilter filter) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(filter);
        if (lastFolder != null && lastFolder.isDirectory()) {
            chooser.setInitialDirectory(lastFolder);
        }
        return chooser;
    }

    private static FileChooser.ExtensionFilter sessions() {
        return new FileChooser.ExtensionFilter("Headwise sessions", "*.json");
    }

    private Path file(File f) {
        if (f == null) {
            return null;
        }
        lastFolder = f.getParentFile();
        return f.toPath();
    }

    private Path folder(File f) {
        if (f == null) {
            return null;
        }
        lastFolder = f;
        return f.toPath();
    }
}
