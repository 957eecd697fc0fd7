package headwise.app.ui.corpus;

import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;

/** The Corpus page's file dialogs; tests replace them. Each returns null when the user cancels. */
public interface CorpusChooser {

    Path dataFile(Window owner);

    Path outputFolder(Window owner);

    /** The JavaFX dialogs. */
    static CorpusChooser dialogs() {
        return new CorpusChooser() {
            @Override
            public Path dataFile(Window owner) {
                FileChooser c = new FileChooser();
                c.setTitle("Prompts: JSONL, CSV or text");
                c.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Prompts", "*.jsonl", "*.json", "*.csv", "*.txt"),
                        new FileChooser.ExtensionFilter("Any file", "*"));
                File f = c.showOpenDialog(owner);
                return f == null ? null : f.toPath();
            }

            @Override
            public Path outputFolder(Window owner) {
                DirectoryChooser c = new DirectoryChooser();
                c.setTitle("A corpus output folder (head_stats.json, atlas.json, …)");
                File f = c.showDialog(owner);
                return f == null ? null : f.toPath();
            }
        };
    }
}
