package headwise.fuzz;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The short fuzz run of the test suite: every parser gets its seed corpus as it is, then mutated inputs from a
 * seeded {@link Mutator} for a few seconds ({@code -Dheadwise.fuzz.seconds}, default 3; {@code -Dheadwise.fuzz.seed}
 * varies the inputs, {@code -Dheadwise.fuzz.only=tokenizer,onnx} picks targets). Bad bytes must end in a one-line HeadwiseException: any other throwable, an input that takes
 * longer than {@link #SLOW_MS}, or one that makes the parser allocate more than its budget on the heap fails the
 * test, and the input is saved under target/fuzz-findings/ for replay (a file there also runs through Jazzer:
 * {@code ParserFuzzer}). Coverage-guided fuzzing is the long run documented in README.md.
 */
class ParserFuzzTest {

    private static final double SECONDS = Double.parseDouble(System.getProperty("headwise.fuzz.seconds", "3"));
    private static final long SEED = Long.getLong("headwise.fuzz.seed", 20261129L);
    private static final long SLOW_MS = 30_000; // a hang, not a slow machine: a model load under load took 20 s once
    /** Mutated inputs each target runs at least, however slow the machine (a model load takes milliseconds). */
    private static final int MIN_MUTATED = 50;

    @TestFactory
    Stream<DynamicTest> everyParserSurvivesMutatedInputs() {
        String only = System.getProperty("headwise.fuzz.only", "");
        return Arrays.stream(FuzzTargets.Target.values())
                .filter(target -> only.isEmpty() || Arrays.asList(only.split(",")).contains(target.seeds))
                .map(target -> DynamicTest.dynamicTest(target.seeds, () -> fuzz(target)));
    }

    private static void fuzz(FuzzTargets.Target target) throws IOException {
        String replay = System.getProperty("headwise.fuzz.replay", "");
        if (!replay.isEmpty()) { // one saved input, e.g. -Dheadwise.fuzz.only=image -Dheadwise.fuzz.replay=target/fuzz-findings/image/input-1
            long t0 = System.nanoTime();
            target.run(Files.readAllBytes(Path.of(replay)));
            System.out.printf(Locale.ROOT, "replayed %s on %s in %d ms%n", replay, target.seeds, (System.nanoTime() - t0) / 1_000_000);
            return;
        }
        List<byte[]> seeds = Seeds.of(target);
        assertTrue(!seeds.isEmpty(), "seed corpus of " + target.seeds);
        Mutator mutator = new Mutator(SEED ^ target.ordinal() * 0x9E3779B97F4A7C15L);
        long start = System.nanoTime();
        long deadline = start + (long) (SECONDS * 1e9);
        long executions = 0;
        long mostAllocated = 0;
        while (executions < seeds.size() + MIN_MUTATED || System.nanoTime() < deadline) {
            byte[] input = executions < seeds.size() ? seeds.get((int) executions)
                    : mutator.mutate(seeds.get(mutator.random().nextInt(seeds.size())), seeds);
            long allocatedBefore = allocatedBytes();
            long t0 = System.nanoTime();
            try {
                target.run(input);
            } catch (Throwable t) {
                Path saved = save(target, input);
                fail(target.seeds + ": input " + executions + " (" + input.length + " bytes, saved as " + saved + ") threw "
                        + t, t);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long allocated = allocatedBytes() - allocatedBefore;
            mostAllocated = Math.max(mostAllocated, allocated);
            if (ms > SLOW_MS && executions >= seeds.size()) { // the seeds also pay for first use (ND4J, native libraries)
                fail(target.seeds + ": input of " + input.length + " bytes took " + ms + " ms (saved as " + save(target, input) + ")");
            }
            if (allocated > target.heapBudget(input.length)) {
                fail(target.seeds + ": input of " + input.length + " bytes allocated " + (allocated >> 20) + " MiB on the heap"
                        + " (saved as " + save(target, input) + ")");
            }
            executions++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "fuzz %-13s %7d executions (%d seeds) in %.1f s, at most %d MiB allocated by one%n",
                target.seeds, executions, seeds.size(), seconds, mostAllocated >> 20);
        assertTrue(executions >= seeds.size() + MIN_MUTATED, target.seeds + ": too few mutated inputs ran");
    }

    /** Heap bytes allocated by this thread so far (HotSpot's per-thread counter). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static Path save(FuzzTargets.Target target, byte[] input) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "fuzz-findings", target.seeds));
        return Files.write(dir.resolve("input-" + Integer.toHexString(Arrays.hashCode(input))), input);
    }
}
