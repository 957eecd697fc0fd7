package headwise.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short fuzz run of the test suite: Jazzer, coverage-guided, on every parser at once. Jazzer fuzzes one
 * {@code @FuzzTest} per JVM, so this is one test whose first input byte picks the {@link FuzzTargets.Target}
 * (byte mod the number of targets) and whose other bytes are that target's input; it starts from the whole seed corpus (every
 * file of ParserFuzzerInputs/TARGET/, the byte of its target in front) and runs for {@link #DURATION}.
 *
 * <p>{@code mvn test} runs it in its own surefire execution ({@code fuzz}, pom.xml) with {@code JAZZER_FUZZ=1},
 * in a JVM of its own, so Jazzer's agent instruments nothing else the suite runs. Without JAZZER_FUZZ (e.g.
 * {@code -Dtest=ParserFuzzTest} alone) it replays the seeds only. Bad bytes must end in a one-line
 * HeadwiseException: any other throwable, an input that takes longer than 30 s, or one that makes the parser
 * allocate more than its heap budget ({@link FuzzTargets.Target#runChecked}) is a finding that fails the test (Jazzer saves
 * the input as crash-SHA1 in src/test/resources/headwise/fuzz/ParserFuzzTestInputs/anyParser/, the folder it
 * creates for this test and replays from then on). The long per-target run is {@link ParserFuzzer}.
 */
class ParserFuzzTest {

    /** The in-suite duration (a compile-time constant for the annotation). */
    static final String DURATION = "30s";
    private static final FuzzTargets.Target[] TARGETS = FuzzTargets.Target.values();
    private static final AtomicLongArray EXECUTIONS = new AtomicLongArray(TARGETS.length);
    private static final AtomicLongArray BYTES = new AtomicLongArray(TARGETS.length);
    private static final boolean FUZZING = isFuzzing();
    private static long seeds;
    private static long start;

    /** Every seed and saved finding of every target, prefixed with the target's byte. */
    static Stream<byte[]> seeds() {
        return Arrays.stream(TARGETS).flatMap(target -> Seeds.of(target).stream().map(input -> {
            byte[] data = new byte[input.length + 1];
            data[0] = (byte) target.ordinal();
            System.arraycopy(input, 0, data, 1, input.length);
            return data;
        }));
    }

    @BeforeAll
    static void startFromTheSeeds() throws IOException {
        seeds = seeds().count();
        start = System.nanoTime();
        if (FUZZING) { // Jazzer keeps what it found interesting here; the suite starts from the seeds each time
            deleteTree(Path.of(".cifuzz-corpus", ParserFuzzTest.class.getName()));
        }
    }

    /** Tokens the parsers read sizes and structure from (JSON keys, lying numbers), for Jazzer's mutator. */
    @MethodSource("seeds")
    @DictionaryEntries({"{", "}", "[", "]", "\"", ",", ":", "null", "true", "false", "\"\"", "\\u0000", "\\",
        "\"shape\":[", "\"dtype\":\"F32\"", "\"dtype\":\"BF16\"", "\"data_offsets\":[0,", "\"weight_map\":{",
        "\"model_type\":\"", "\"size\":", "\"type\":\"", "\"vocab\":", "\"merges\":", "\"added_tokens\":",
        "\"post_processor\":", "\"decoder\":", "\"normalizer\":", "\"pre_tokenizer\":", "\"special_tokens\":",
        "\"num_attention_heads\":", "\"hidden_size\":", "\"num_hidden_layers\":", "\"image_size\":", "\"patch_size\":",
        "\"shortest_edge\":", "\"image_mean\":", "\"rescale_factor\":", "-1", "0", "-0", "0.5", "1e308", "1E400",
        "NaN", "Infinity", "2147483647", "2147483648", "-2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "\0HW-PART\0", "GGUF", "general.architecture", "tokenizer.ggml.model",
        "llama", "gpt2", "blk.0.attn_q.weight", "token_embd.weight"})
    @FuzzTest(maxDuration = DURATION)
    void anyParser(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int t = (data[0] & 0xff) % TARGETS.length;
        FuzzTargets.Target target = TARGETS[t];
        byte[] input = Arrays.copyOfRange(data, 1, data.length);
        EXECUTIONS.incrementAndGet(t);
        BYTES.addAndGet(t, input.length);
        target.runChecked(input);
    }

    @AfterAll
    static void report() {
        long total = 0;
        StringBuilder line = new StringBuilder();
        for (int t = 0; t < TARGETS.length; t++) {
            long n = EXECUTIONS.get(t);
            total += n;
            line.append(String.format(Locale.ROOT, "%n  %-13s %8d executions, %6.0f bytes on average", TARGETS[t].seeds, n,
                    n == 0 ? 0.0 : BYTES.get(t) / (double) n));
            assertTrue(n > 0, TARGETS[t].seeds + " never ran");
        }
        System.out.printf(Locale.ROOT, "ParserFuzzTest (%s): %d executions (%d of them seeds) in %.1f s%s%n",
                FUZZING ? "Jazzer, fuzzing" : "seeds only", total, seeds, (System.nanoTime() - start) / 1e9, line);
        if (FUZZING) {
            assertTrue(total > 2 * seeds, "Jazzer ran " + (total - seeds) + " inputs beyond the seeds");
        }
    }

    /** As Jazzer decides (com.code_intelligence.jazzer.junit.Utils#isFuzzing): JAZZER_FUZZ set, in the environment or as a property. */
    private static boolean isFuzzing() {
        String env = System.getenv("JAZZER_FUZZ");
        String property = System.getProperty("JAZZER_FUZZ");
        return env != null && !env.isEmpty() || property != null && !property.isEmpty();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
