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

    static List<byte[]> of(FuzzTargets.Target target) {
        URL url = Seeds.class.getClassLoader().getResource(ROOT + target.seeds);
        if (url == null) {
            throw new IllegalStateException("no seed corpus " + ROOT + target.seeds);
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<byte[]> seeds = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(f));
            }
            return seeds;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
