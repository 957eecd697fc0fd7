package headwise.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The seed corpus: src/test/resources/headwise/fuzz/ParserFuzzerInputs/TARGET/, the folder Jazzer itself reads
 * for {@code ParserFuzzer#TARGET} (regenerate with src/test/python/make_fuzz_seeds.py).
 */
final class Seeds {

    static final String ROOT = "headwise/fuzz/ParserFuzzerInputs/";

    private Seeds() {
    }

    /** Every input of the corpus: the seeds, and any finding Jazzer saved there (crash-*, timeout-*, ...). */
    static List<byte[]> of(FuzzTargets.Target target) {
        List<byte[]> inputs = new ArrayList<>();
        try {
            for (Path f : files(target)) {
                inputs.add(Files.readAllBytes(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inputs;
    }

    /** Jazzer names its findings after what happened (crash-HASH, timeout-HASH, slow-unit-HASH, oom-HASH). */
    static boolean isFinding(Path file) {
        return file.getFileName().toString().matches("(crash|timeout|slow-unit|oom|leak)-.*");
    }

    static List<Path> files(FuzzTargets.Target target) {
        URL url = Seeds.class.getClassLoader().getResource(ROOT + target.seeds);
        if (url == null) {
            throw new IllegalStateException("no seed corpus " + ROOT + target.seeds);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
