package headwise.fuzz;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every seed is a valid file that its parser accepts: mutations of broken seeds would not reach far. */
class SeedCorpusTest {

    @TestFactory
    Stream<DynamicTest> everySeedParses() {
        return Arrays.stream(FuzzTargets.Target.values()).map(target -> DynamicTest.dynamicTest(target.seeds, () -> {
            List<byte[]> seeds = Seeds.of(target);
            assertFalse(seeds.isEmpty());
            FuzzTargets.STRICT.set(true);
            try {
                for (byte[] seed : seeds) {
                    target.run(seed);
                }
            } finally {
                FuzzTargets.STRICT.set(false);
            }
        }));
    }
}
