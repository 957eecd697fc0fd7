package headwise.engine.corpus;

import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a corpus run's finished partitions are valid for: the arguments that change a result (model, data, partitions,
 * forward options, …), the data file's SHA-256 and the model's files (names, sizes, modification times). A rerun
 * resumes only from partitions written under the same key; any change starts over.
 */
public final class RunKey {

    private RunKey() {
    }

    /** SHA-256 (hex) of the arguments, sorted by name. */
    public static String of(Map<String, String> arguments) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(arguments).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return hex(digest().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 (hex) of a file's bytes. */
    public static String fileHash(Path file) {
        MessageDigest sha = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        return hex(sha.digest());
    }

    /**
     * The model's files as they are now (name, size, modification time of each, or of the one file); hashing gigabytes
     * of weights on every run would cost more than the check is worth. A name that is no path stays as given.
     */
    public static String modelFingerprint(String model) {
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            return model;
        }
        StringBuilder text = new StringBuilder(path.toAbsolutePath().normalize().toString());
        try (Stream<Path> files = Files.isDirectory(path) ? Files.walk(path) : Stream.of(path)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    text.append('|').append(path.relativize(f)).append(':').append(Files.size(f)).append(':')
                            .append(Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) {
                    text.append('|').append(f).append(":unreadable");
                }
            });
        } catch (IOException e) {
            throw HeadwiseException.inFile(path, "cannot list the model's files: " + e.getMessage());
        }
        return hex(digest().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
