package headwise.bench;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.MetricsReport;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Not a test (too long for CI): N analyses with random inputs on the bundled MiniLM in one process, single thread,
 * printing memory every 50 runs: Java heap used after a GC, off-heap memory (RSS minus the JVM's committed heap
 * and non-heap pools: ND4J's arrays and temporaries, the tokenizer's Rust heap) and the process's RSS. Each analysis is a forward with every attention map captured plus the metrics report (which runs its own
 * residual forward); one input in ten is bad (an id outside the vocabulary, an empty text, too many tokens) and
 * must fail with a HeadwiseException, so that the error paths are soaked too. Any other failure stops the run.
 *
 * <p>Bound: after the first {@link #WARM_UP} runs (JIT, ND4J buffers, malloc arenas), off-heap memory may not grow
 * beyond its warm-up peak by more than {@code -Dsoak.boundMiB} (default 128) by the end; exit code 1 otherwise. RSS growth is printed too (it also moves with the heap the
 * JVM commits).
 * <pre>mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * OMP_NUM_THREADS=1 java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -Dheadwise.models=target/models \
 *   -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" headwise.bench.Soak 1000</pre>
 */
public final class Soak {

    private static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "attention", "head", "sink", "é", "naïve",
        "東京", "🙂", ",", ".", "?", "transformer", "layers", "Paris", "is", "capital", "of", "France", "12345", "'s", "--"};

    /**
     * Runs before memory is expected to be flat: in the measured soaks off-heap memory rose by ~160 MiB between runs
     * 50 and 100 (malloc arenas and ND4J buffers sized for the longest inputs met so far), then stayed level.
     */
    private static final int WARM_UP = Integer.getInteger("soak.warmup", 100);

    public static void main(String[] args) throws IOException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        long bound = Long.getLong("soak.boundMiB", 128) << 20;
        Random random = new Random(Long.getLong("soak.seed", 1));
        try (LoadedModel model = ModelLoader.load("all-MiniLM-L6-v2")) {
            int vocab = model.spec().vocabSize();
            int maxTokens = model.spec().maxPositions();
            System.out.printf(Locale.ROOT, "soak: %d analyses on %s (max %d tokens), OMP_NUM_THREADS=%s, -Xmx %d MiB%n", runs,
                    model.name(), maxTokens, System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().maxMemory() >> 20);
            System.out.println("  run   heap_MiB  offheap_MiB  rss_MiB  refused  ms/run");
            long[] warm = null;
            long last = System.nanoTime();
            int refused = 0;
            for (int run = 1; run <= runs; run++) {
                int kind = random.nextInt(10);
                try {
                    ModelInput input = switch (kind) {
                        case 0 -> bad(model, random, vocab, maxTokens);
                        case 1, 2, 3, 4 -> ModelInput.fromIds(model, random.ints(1 + random.nextInt(128), 0, vocab).toArray());
                        default -> ModelInput.fromText(model, text(random, 1 + random.nextInt(60)));
                    };
                    AnalysisResult result = Analyzer.analyze(model, input);
                    Map<String, Object> metrics = MetricsReport.compute(model, result);
                    if (metrics.isEmpty() || result.attention() == null) {
                        throw new IllegalStateException("run " + run + ": empty result");
                    }
                    if (kind == 0) {
                        throw new IllegalStateException("run " + run + ": a bad input was accepted");
                    }
                } catch (HeadwiseException e) {
                    if (kind != 0) {
                        throw new IllegalStateException("run " + run + ": a good input failed: " + e.getMessage(), e);
                    }
                    refused++;
                }
                if (run % 50 == 0 || run == runs) {
                    long[] now = memory();
                    long ms = (System.nanoTime() - last) / 1_000_000 / (run % 50 == 0 ? 50 : run % 50);
                    last = System.nanoTime();
                    System.out.printf(Locale.ROOT, "%5d %10d %12d %8d %8d %7d%n", run, now[0] >> 20, now[1] >> 20, now[2] >> 20, refused, ms);
                    if (run <= WARM_UP) { // the reference: the most each measure reached during warm-up
                        warm = warm == null ? now.clone() : new long[] {Math.max(warm[0], now[0]), Math.max(warm[1], now[1]),
                            Math.max(warm[2], now[2])};
                    } else if (run == runs) {
                        long nativeGrowth = now[1] - warm[1];
                        long rssGrowth = now[2] - warm[2];
                        boolean ok = nativeGrowth <= bound;
                        System.out.printf(Locale.ROOT, "growth after warm-up (its peak to run %d): off-heap %+d MiB, rss %+d MiB, heap %+d MiB;"
                                + " off-heap bound %d MiB: %s%n", run, nativeGrowth >> 20, rssGrowth >> 20, (now[0] - warm[0]) >> 20, bound >> 20,
                                ok ? "PASS" : "FAIL");
                        if (!ok) {
                            System.exit(1);
                        }
                    }
                }
            }
        }
    }

    /** An input that must be refused: an id outside the vocabulary, nothing at all, or more tokens than positions. */
    private static ModelInput bad(LoadedModel model, Random random, int vocab, int maxTokens) {
        return switch (random.nextInt(3)) {
            case 0 -> ModelInput.fromIds(model, new int[] {1, vocab + random.nextInt(1000), 2});
            case 1 -> ModelInput.fromIds(model, new int[0]);
            default -> ModelInput.fromIds(model, new int[maxTokens + 1 + random.nextInt(100)]);
        };
    }

    private static String text(Random random, int words) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < words; i++) {
            s.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return s.toString();
    }

    /**
     * {heap used after a GC, off-heap, process RSS}. Off-heap is what the process holds outside the Java heap and the
     * JVM's own non-heap pools (metaspace, code cache): RSS minus both, as committed. That is where ND4J's arrays and
     * temporaries, NIO buffers and the tokenizer's Rust heap live (ND4J's own allocation tracker counts none of
     * them on the CPU backend).
     */
    private static long[] memory() throws IOException {
        System.gc();
        FreeNativeMemory.release();
        Runtime rt = Runtime.getRuntime();
        long heapUsed = rt.totalMemory() - rt.freeMemory();
        MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
        long jvmCommitted = jvm.getHeapMemoryUsage().getCommitted() + jvm.getNonHeapMemoryUsage().getCommitted();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new long[] {heapUsed, Math.max(0, rss - jvmCommitted), rss};
    }
}
