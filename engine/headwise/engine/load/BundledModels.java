package headwise.engine.load;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Models that ship with Headwise, found by name: the MiniLM encoder and the sample models trained by the scripts in
 * {@code samples/} ({@link #samples()}). The build copies them into {@code target/models/NAME}; a run finds them
 * through the {@code headwise.models} system property, beside the jar, under ./target/models, or (samples only)
 * under ./samples of a source checkout.
 */
public final class BundledModels {

    public static final String MINILM = "all-MiniLM-L6-v2";
    public static final String DECODER_SAMPLE = "tiny-stories-decoder";
    public static final String VIT_SAMPLE = "shapes-vit";

    /** The decoder sample's ready input, beside its weights. */
    static final String EXAMPLE_TEXT_FILE = "example.txt";
    /** The ViT sample's example images, beside its weights. */
    static final String EXAMPLE_IMAGES_FOLDER = "examples";
    private static final String VIT_EXAMPLE_IMAGE = "red_circle.png";

    /**
     * A sample model with a ready input.
     *
     * @param name         the name {@link ModelLoader#load(String)} accepts
     * @param description  one sentence for a model list
     * @param folder       its Hugging Face folder
     * @param exampleText  text to run (decoder), else null
     * @param exampleImage an image to run (ViT), else null
     */
    public record Sample(String name, String description, Path folder, String exampleText, Path exampleImage) {
    }

    private BundledModels() {
    }

    /** The folder of a bundled model called {@code name} (case-insensitive), if this is one and it is present. */
    public static Optional<Path> find(String name) {
        return canonicalName(name).flatMap(BundledModels::folderOf);
    }

    /** The bundled model's own spelling of {@code name}, if {@code name} is one (case-insensitive). */
    public static Optional<String> canonicalName(String name) {
        return names().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst();
    }

    public static List<String> names() {
        return List.of(MINILM, DECODER_SAMPLE, VIT_SAMPLE);
    }

    /**
     * The sample models that are present, decoder first, each with its example input read from its folder
     * ({@value #EXAMPLE_TEXT_FILE}; {@value #EXAMPLE_IMAGES_FOLDER}/ holds the ViT's images).
     */
    public static List<Sample> samples() {
        List<Sample> out = new ArrayList<>();
        folderOf(DECODER_SAMPLE).ifPresent(folder -> out.add(new Sample(DECODER_SAMPLE,
                "A 2-layer GPT-2 trained on repeated random tokens and generated children's stories: "
                        + "word-level vocabulary, <bos> before every input.",
                folder, exampleText(folder), null)));
        folderOf(VIT_SAMPLE).ifPresent(folder -> out.add(new Sample(VIT_SAMPLE,
                "A 3-layer ViT classifying generated 32x32 images by shape (circle, square, triangle, cross).",
                folder, null, folder.resolve(EXAMPLE_IMAGES_FOLDER).resolve(VIT_EXAMPLE_IMAGE))));
        return out;
    }

    /** The example images shipped with the ViT sample at {@code folder}, sorted by name (empty if none). */
    public static List<Path> exampleImages(Path folder) {
        Path images = folder.resolve(EXAMPLE_IMAGES_FOLDER);
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (var files = Files.list(images)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String exampleText(Path folder) {
        try {
            return Files.readString(folder.resolve(EXAMPLE_TEXT_FILE)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Path> folderOf(String canonical) {
        List<Path> roots = roots();
        if (!canonical.equals(MINILM)) {
            roots.add(Path.of("samples")); // a source checkout, before the build has copied them
        }
        for (Path root : roots) {
            Path folder = root.resolve(canonical);
            if (Files.isDirectory(folder)) {
                return Optional.of(folder);
            }
        }
        return Optional.empty();
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
