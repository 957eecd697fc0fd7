package headwise.engine.model;

import headwise.engine.bench.GemmRate;
import headwise.engine.family.Families;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import headwise.engine.json.Json;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Not a test: one layer's attention of a model's shape (config.json only, no weights) on random q, k, v of T tokens,
 * on the query-block path (what inputs longer than maxWholeScores allows take) and, where the whole scores fit, the
 * per-head path; then the three parts of the query-block path timed apart (q·kᵀ, scaled masked softmax, pattern·v).
 * Prints ms per layer, GFLOP/s on the FLOPs a causal model does (both products over the keys each query sees), and
 * the SGEMM rate measured just after at the forward's largest shape and at the products' own shapes.
 * <pre>OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -Xmx4g -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
 *   headwise.engine.model.AttentionBench target/bench-models/tinyllama 8192 [repeat=3] [maxWholeScores]</pre>
 */
public final class AttentionBench {

    public static void main(String[] args) {
        Path folder = Path.of(args[0]);
        int tokens = Integer.parseInt(args[1]);
        int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ForwardOptions options = args.length > 3 ? ForwardOptions.defaults().withMaxWholeScores(Long.parseLong(args[3]))
                : ForwardOptions.defaults();
        Path config = folder.resolve("config.json");
        ModelSpec spec = Families.forConfig(config, Json.readObject(config)).spec(config, Json.readObject(config));
        Nd4j.getRandom().setSeed(42);
        INDArray q = Nd4j.randn(DataType.FLOAT, 1, tokens, spec.heads(), spec.dHead());
        INDArray k = Nd4j.randn(DataType.FLOAT, 1, tokens, spec.kvHeads(), spec.dHead());
        INDArray v = Nd4j.randn(DataType.FLOAT, 1, tokens, spec.kvHeads(), spec.dHead());
        double flops = causalFlops(spec, tokens);
        System.out.printf(Locale.ROOT, "%s: %d heads (%d kv) of %d, %d tokens, %.1f GFLOP per layer (causal), load %s%n",
                folder.getFileName(), spec.heads(), spec.kvHeads(), spec.dHead(), tokens, flops / 1e9, load());
        AttentionScores scores = new AttentionScores(spec);
        time("query blocks", new QueryBlockAttention(spec, options, scores), q, k, v, repeat, flops, spec, tokens);
        if ((long) spec.heads() * tokens * tokens <= options.maxWholeScores()) {
            time("per head", new PerHeadAttention(spec, options, scores), q, k, v, repeat, flops, spec, tokens);
        }
        parts(spec, options, scores, q, k, v, flops);
    }

    /** Both products over the keys each query sees: 2 · 2 · heads · d_head · T(T+1)/2. */
    static double causalFlops(ModelSpec spec, int tokens) {
        return 2.0 * 2 * spec.heads() * spec.dHead() * (tokens * (tokens + 1.0) / 2);
    }

    private static void time(String name, Attention attention, INDArray q, INDArray k, INDArray v, int repeat, double flops,
                             ModelSpec spec, int tokens) {
        attention.attend(0, q, k, v, 0, null, Hooks.none(), new ActivationCache()).close(); // warm-up
        double[] ms = new double[repeat];
        double[] cpu = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            attention.attend(0, q, k, v, 0, null, Hooks.none(), new ActivationCache()).close();
            ms[r] = (System.nanoTime() - start) / 1e6;
            cpu[r] = (processCpuNanos() - cpuStart) / 1e6;
        }
        double median = headwise.engine.bench.ForwardBenchmark.median(ms);
        double sgemm = GemmRate.gflops(Math.min(tokens, 2048), spec.dModel(), spec.dMlp(), 3);
        System.out.printf(Locale.ROOT, "%s: %.1f ms per layer (process CPU %.1f ms), %.1f GFLOP/s, sgemm %.1f GFLOP/s just after (%.0f%%), load %s%n",
                name, median, headwise.engine.bench.ForwardBenchmark.median(cpu), flops / median / 1e6, sgemm,
                100 * flops / median / 1e6 / sgemm, load());
    }

    /**
     * The query-block path's three steps, as QueryBlockAttention runs them (each thread its heads, a block of queries
     * at a time): q·kᵀ alone, then q·kᵀ with the masked softmax, then the whole path; the softmax and pattern·v are
     * the differences (median of three each).
     */
    private static void parts(ModelSpec spec, ForwardOptions options, AttentionScores scores, INDArray q, INDArray k,
                              INDArray v, double flops) {
        int length = (int) q.size(1);
        int block = Math.min(length, options.queryBlock());
        double products = medianMs(() -> eachBlock(q, k, block, (worker, buffer, b, h, start, n, seen, visible) ->
                HeadProducts.headScores(worker.layout(), FloatRows.pointer(q), FloatRows.pointer(k), b, h, start, n, seen, buffer, seen),
                scores));
        double patterns = medianMs(() -> eachBlock(q, k, block, (worker, buffer, b, h, start, n, seen, visible) ->
                worker.pattern(b, h, start, n, seen, visible, 0, buffer, seen, seen), scores));
        Attention whole = new QueryBlockAttention(spec, options, scores);
        double all = medianMs(() -> whole.attend(0, q, k, v, 0, null, Hooks.none(), new ActivationCache()).close());
        double scoresRate = GemmRate.gflops(block, spec.dHead(), length, 3);
        double mixRate = GemmRate.gflops(block, length, spec.dHead(), 3);
        System.out.printf(Locale.ROOT, "parts (%d queries a block, a head per thread): q·kᵀ %.1f ms (%.1f GFLOP/s; sgemm [%d,%d]·[%d,%d] %.1f), "
                        + "softmax %.1f ms, pattern·v %.1f ms (%.1f GFLOP/s; sgemm [%d,%d]·[%d,%d] %.1f), load %s%n",
                block, products, flops / 2 / products / 1e6, block, spec.dHead(), spec.dHead(), length, scoresRate,
                patterns - products, all - patterns, flops / 2 / (all - patterns) / 1e6, block, length, length, spec.dHead(),
                mixRate, load());
    }

    /** What {@link #eachBlock} does with one block. */
    private interface BlockStep {
        void run(HeadWorker worker, FloatPointer buffer, int b, int h, int start, int rows, int seen, int visible);
    }

    /** {@code step} on every causal block of every head, each thread its heads, as QueryBlockAttention splits them. */
    private static void eachBlock(INDArray q, INDArray k, int block, BlockStep step, AttentionScores scores) {
        HeadProducts.Layout layout = HeadProducts.Layout.of(q, k);
        HeadThreads.split(layout.batch() * layout.heads(), (fromPair, toPair) -> {
            HeadWorker worker = new HeadWorker(scores, 0, q, k);
            FloatPointer buffer = new FloatPointer((long) block * layout.keys());
            HeadProducts.forEachBlock(layout, true, 0, null, block, fromPair, toPair, (b, h, start, n, seen, visible) ->
                    step.run(worker, buffer.position(0), b, h, start, n, seen, visible));
            buffer.deallocate();
        });
    }

    private static double medianMs(Runnable work) {
        work.run(); // warm-up
        double[] ms = new double[3];
        for (int r = 0; r < ms.length; r++) {
            long start = System.nanoTime();
            work.run();
            ms[r] = (System.nanoTime() - start) / 1e6;
        }
        return headwise.engine.bench.ForwardBenchmark.median(ms);
    }

    /** CPU time of every thread of the process (OpenBLAS's included): steadier than wall time on a shared machine. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String load() {
        return String.format(Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
