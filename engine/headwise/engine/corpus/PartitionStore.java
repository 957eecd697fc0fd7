package headwise.engine.corpus;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;
import headwise.engine.io.AtomicFiles;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The finished partitions of a corpus run, kept in a folder so that a rerun with the same {@link RunKey} resumes
 * from them: {@code manifest.json} (the key and the arguments it was made of) and one {@code part-NNNNN.bin} per
 * finished partition (its {@link CorpusAccumulator} as plain numbers: {@link CorpusAccumulator#writeTo}), each written beside its name and moved over
 * it, so a kill leaves whole files or none. A manifest with another key (a changed argument, data file or model)
 * empties the folder: the run starts over.
 */
public final class PartitionStore {

    private static final String MANIFEST = "manifest.json";
    private final Path dir;

    private PartitionStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (or starts) the store in {@code dir} for a run with these arguments. */
    public static PartitionStore open(Path dir, Map<String, String> arguments) {
        String key = RunKey.of(arguments);
        Path manifest = dir.resolve(MANIFEST);
        if (!key.equals(storedKey(manifest))) {
            deleteFolder(dir);
            JsonObject m = new JsonObject();
            m.addProperty("key", key);
            m.add("arguments", new Gson().toJsonTree(new TreeMap<>(arguments)));
            AtomicFiles.write(manifest, w -> w.write(m + "\n"), "the corpus run's manifest");
        }
        return new PartitionStore(dir);
    }

    /** The partitions finished under this key, by partition index; an unreadable file counts as unfinished. */
    public Map<Integer, CorpusAccumulator> finished() {
        Map<Integer, CorpusAccumulator> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.matches("part-\\d{5}\\.bin")) {
                    CorpusAccumulator part = read(f);
                    if (part != null) {
                        out.put(Integer.parseInt(name.substring(5, 10)), part);
                    }
                }
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(dir, "cannot list the finished partitions: " + e.getMessage());
        }
        return out;
    }

    /** Keeps a finished partition (driver side, as each one arrives). */
    public void save(int partition, CorpusAccumulator part) {
        Path target = dir.resolve(String.format("part-%05d.bin", partition));
        Path partial = dir.resolve("." + target.getFileName() + ".partial");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
            part.writeTo(out);
        } catch (IOException e) {
            throw HeadwiseException.inFile(target, "cannot write a finished partition: " + e.getMessage());
        }
        try {
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(target, "cannot write a finished partition: " + e.getMessage());
        }
    }

    /** Removes the store (the run's results are written: nothing is left to resume). */
    public void delete() {
        deleteFolder(dir);
    }

    private static CorpusAccumulator read(Path f) {
        try {
            return CorpusAccumulator.readFrom(Files.readAllBytes(f)); // null when written by another version or damaged
        } catch (IOException e) {
            return null; // unreadable: computed again
        }
    }

    private static String storedKey(Path manifest) {
        if (!Files.isRegularFile(manifest)) {
            return null;
        }
        try {
            return JsonParser.parseString(Files.readString(manifest)).getAsJsonObject().get("key").getAsString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteFolder(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(folder, "cannot clear the finished partitions: " + e.getMessage());
        }
    }
}
