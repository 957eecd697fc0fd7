package headwise.app.ui.model;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The models opened last, newest first, kept in a small JSON list beside the autosave and shown in the File menu. A
 * list that cannot be read is treated as empty (it is a convenience, never worth an error); one that cannot be
 * written is skipped. Writes go through {@code io} (off the FX thread).
 */
public final class RecentModels {

    public static final int MAX = 8;
    private static final long MAX_BYTES = 256 * 1024;

    private final ObservableList<String> names = FXCollections.observableArrayList();
    private final Path file;
    private final Executor io;

    /** @param file the list's file, or null to keep it in memory only */
    public RecentModels(Path file, Executor io) {
        this.file = file;
        this.io = io;
        if (file != null) {
            names.setAll(read(file));
        }
    }

    /** The list, newest first (read-only). */
    public ObservableList<String> names() {
        return FXCollections.unmodifiableObservableList(names);
    }

    /** {@code model} was opened: it goes first, and the list is saved. */
    public void add(String model) {
        names.setAll(adding(names, model));
        if (file != null) {
            List<String> snapshot = List.copyOf(names);
            io.execute(() -> write(file, snapshot));
        }
    }

    public static List<String> read(Path file) {
        List<String> out = new ArrayList<>();
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
                return out;
            }
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (root != null && root.isJsonArray()) {
                for (JsonElement e : (JsonArray) root) {
                    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() && !e.getAsString().isBlank()
                            && out.size() < MAX && !out.contains(e.getAsString())) {
                        out.add(e.getAsString());
                    }
                }
            }
        } catch (IOException | RuntimeException | StackOverflowError e) {
            out.clear();
        }
        return out;
    }

    /** {@code model} first, then the others, at most {@link #MAX}. */
    public static List<String> adding(List<String> recent, String model) {
        List<String> out = new ArrayList<>();
        out.add(model);
        recent.stream().filter(m -> !m.equals(model)).limit(MAX - 1).forEach(out::add);
        return out;
    }

    public static void write(Path file, List<String> recent) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, new Gson().toJson(recent) + "\n", StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // a recent list that cannot be saved is not worth interrupting the user
        }
    }
}
