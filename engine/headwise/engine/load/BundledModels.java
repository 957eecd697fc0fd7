package headwise.engine.load;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Models that ship with Headwise, found by name. The build unpacks them into {@code target/models/NAME};
 * a run finds them through the {@code headwise.models} system property, beside the jar, or under ./target.
 */
public final class BundledModels {

    public static final String MINILM = "all-MiniLM-L6-v2";

    private BundledModels() {
    }

    /** The folder of a bundled model called {@code name} (case-insensitive), if this is one. */
    public static Optional<Path> find(String name) {
        if (!name.equalsIgnoreCase(MINILM)) {
            return Optional.empty();
        }
        for (Path root : roots()) {
            Path folder = root.resolve(MINILM);
            if (Files.isDirectory(folder)) {
                return Optional.of(folder);
            }
        }
        return Optional.empty();
    }

    public static List<String> names() {
        return List.of(MINILM);
    }

    static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        String property = System.getProperty("headwise.models");
        if (property != null && !property.isBlank()) {
            roots.add(Path.of(property));
        }
        jarFolder().ifPresent(folder -> roots.add(folder.resolve("models")));
        roots.add(Path.of("target", "models"));
        return roots;
    }

    /** The folder holding headwise.jar (or target/classes when run from the build). */
    private static Optional<Path> jarFolder() {
        try {
            var source = BundledModels.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path location = Path.of(source.getLocation().toURI());
            return Optional.ofNullable(location.getParent());
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
