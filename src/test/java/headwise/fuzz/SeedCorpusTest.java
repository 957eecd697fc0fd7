package headwise.fuzz;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every seed is a valid file that its parser accepts: mutations of broken seeds would not reach far. (Findings
 * Jazzer saved beside them are invalid on purpose; ParserFuzzTest replays them.)
 */
class SeedCorpusTest {

    @TestFactory
    Stream<DynamicTest> everySeedParses() {
        return Arrays.stream(FuzzTargets.Target.values()).map(target -> DynamicTest.dynamicTest(target.seeds, () -> {
            List<Path> seeds = Seeds.files(target).stream().filter(f -> !Seeds.isFinding(f)).toList();
            assertFalse(seeds.isEmpty());
            FuzzTargets.STRICT.set(true);
            try {
                for (Path seed : seeds) {
                    target.run(Files.readAllBytes(seed));
                }
            } finally {
                FuzzTargets.STRICT.set(false);
            }
        }));
    }
}
