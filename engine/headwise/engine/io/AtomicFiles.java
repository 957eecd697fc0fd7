package headwise.engine.io;

import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Text files replaced only once their new content is complete on disk (written beside them, then moved over them),
 * so a crash or a kill mid-write leaves the old file, never half of a new one.
 */
public final class AtomicFiles {

    /** What goes into the file. */
    @FunctionalInterface
    public interface Content {
        void write(Writer out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code content} to {@code file} (its folder created); errors name the file and {@code what} it is. */
    public static void write(Path file, Content content, String what) {
        Path target = file.toAbsolutePath();
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.getParent());
            try (Writer w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                content.write(w);
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write " + what + ": " + e.getMessage());
        }
    }
}
