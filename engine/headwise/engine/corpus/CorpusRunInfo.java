package headwise.engine.corpus;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import headwise.engine.HeadwiseException;
import headwise.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * run.json of a corpus output folder: which model ran on which data file (its SHA-256 then), so that the app can
 * open the folder later without running again and load one of its prompts back into the normal views.
 *
 * @param model     the model as the run loaded it (a path, or a name)
 * @param modelName its short name
 * @param data      the data file's absolute path
 */
public record CorpusRunInfo(String model, String modelName, String data, String dataSha256, int prompts, int skipped) {

    public static final String FILE = "run.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public static void write(Path dir, CorpusRunInfo info) {
        AtomicFiles.write(dir.resolve(FILE), w -> {
            GSON.toJson(info, w);
            w.write('\n');
        }, "the corpus run's description");
    }

    /** The folder's run.json, or null when it has none (a run of an older version). */
    public static CorpusRunInfo read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            CorpusRunInfo info = GSON.fromJson(Files.readString(file), CorpusRunInfo.class);
            if (info == null || info.data() == null || info.model() == null) {
                throw HeadwiseException.inFile(file, "not a corpus run description (no model or data)");
            }
            return info;
        } catch (IOException | JsonParseException e) {
            throw HeadwiseException.inFile(file, "cannot read the corpus run's description: " + e.getMessage());
        }
    }
}
