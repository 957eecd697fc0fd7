package headwise.bench;

import headwise.engine.bench.ForwardFlops;
import headwise.engine.bench.GemmRate;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.PromptBatches;
import headwise.engine.model.Transformer;
import headwise.engine.run.Analyzer;
import headwise.engine.run.BatchAnalyzer;
import headwise.engine.run.ModelInput;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: many prompts one at a time against padded batches (issue 23), in the same process, rounds alternated.
 * Two workloads: the plain forward (logits of every position, no hooks) and the corpus step (every attention map
 * captured per prompt, the outputs cut out: BatchAnalyzer against Analyzer), and the corpus job's step (BatchAnalyzer
 * on the model without logits). Prints tokens/s, GFLOP/s (matrix
 * products, ForwardFlops) and that as a fraction of the SGEMM rate measured right after each timing, through ND4J's
 * gemm (2048×768·768×3072) and through numpy (same shape, same threads), and the load average.
 * <pre>OMP_NUM_THREADS=2 java -Xmx6g -cp "target/classes:target/test-classes:$(cat target/cp.txt)" headwise.bench.BatchBench \
 *   target/bench-models/gpt2-small [prompts=64] [tokens=128] [rounds=2] [maxTokens=2048]</pre>
 */
public final class BatchBench {

    public static void main(String[] args) throws Exception {
        String folder = args.length > 0 ? args[0] : "target/bench-models/gpt2-small";
        int prompts = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int maxTokens = args.length > 4 ? Integer.parseInt(args[4]) : PromptBatches.DEFAULT_TOKENS;
        try (LoadedModel model = ModelLoader.load(folder)) {
            Random random = new Random(42);
            int[][] ids = new int[prompts][];
            List<ModelInput> inputs = new ArrayList<>();
            for (int p = 0; p < prompts; p++) {
                ids[p] = random.ints(tokens, 0, model.spec().vocabSize()).toArray();
                inputs.add(ModelInput.fromIds(model, ids[p]));
            }
            double flops = ForwardFlops.of(model.spec(), tokens) * prompts;
            int maxPrompts = Math.max(1, maxTokens / tokens);
            System.out.printf("%s: %d prompts x %d tokens, %.1f GFLOP, batches of %d prompts, OMP_NUM_THREADS=%s, load %s%n",
                    folder, prompts, tokens, flops / 1e9, maxPrompts, System.getenv("OMP_NUM_THREADS"), load());
            Transformer transformer = model.transformer();
            Runnable forwardAlone = () -> {
                for (int[] prompt : ids) {
                    transformer.recycleOutput(transformer.run(new int[][] {prompt}, Hooks.none()).output());
                }
            };
            Runnable forwardBatched = () -> {
                for (PromptBatches.Batch batch : PromptBatches.of(ids, maxTokens, maxPrompts)) {
                    transformer.recycleOutput(transformer.runPadded(batch.ids(), batch.lengths(), Hooks.none()).output());
                }
            };
            Runnable analyzeAlone = () -> inputs.forEach(input -> Analyzer.analyze(model, input));
            Runnable analyzeBatched = () -> BatchAnalyzer.analyzeEach(model, inputs, maxTokens, maxPrompts, (result, i) -> { });
            LoadedModel noLogits = model.withoutLogits(); // what the corpus job runs: it reads attention only
            Runnable corpusStep = () -> BatchAnalyzer.analyzeEach(noLogits, inputs, maxTokens, maxPrompts, (result, i) -> { });
            double noLogitsFlops = flops - prompts * ForwardFlops.unembed(model.spec(), tokens);
            // warm-up: the JIT vectorises the element-wise loops once they are hot
            for (int w = 0; w < 2; w++) {
                transformer.run(new int[][] {ids[0]}, Hooks.none());
                transformer.runPadded(new int[][] {ids[0], ids[1]}, new int[] {tokens, tokens}, Hooks.none());
            }
            for (int r = 1; r <= rounds; r++) {
                double a = time("forward, one prompt at a time", forwardAlone, prompts * tokens, flops);
                double b = time("forward, padded batches      ", forwardBatched, prompts * tokens, flops);
                System.out.printf("  round %d forward: batched %.2fx the one-at-a-time throughput%n", r, a / b);
                double c = time("analyze, one at a time       ", analyzeAlone, prompts * tokens, flops);
                double d = time("analyze, BatchAnalyzer       ", analyzeBatched, prompts * tokens, flops);
                System.out.printf("  round %d analyze: batched %.2fx the one-at-a-time throughput%n", r, c / d);
                double e = time("corpus step, batched, no logits", corpusStep, prompts * tokens, noLogitsFlops);
                System.out.printf("  round %d corpus step: %.2fx the one-at-a-time analyze's throughput, %.2fx the batched analyze's%n",
                        r, c / e, d / e);
            }
        }
    }

    /** Runs {@code work}, prints its rates against the SGEMM rate of the moment, returns its seconds. */
    private static double time(String what, Runnable work, int totalTokens, double flops) throws IOException, InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        double nd4j = GemmRate.gflops(2048, 768, 3072, 3);
        double numpy = numpyGflops();
        double rate = flops / seconds / 1e9;
        // process CPU time too: on a shared machine wall time mostly measures the other processes
        System.out.printf("  %s %7.2f s (cpu %7.2f s) %7.0f tokens/s %6.1f GFLOP/s = %3.0f%% of SGEMM (ND4J %.1f, numpy %.1f GFLOP/s) load %s%n",
                what, seconds, cpuSeconds, totalTokens / seconds, rate, 100 * rate / Math.max(nd4j, numpy), nd4j, numpy, load());
        return seconds;
    }

    /** numpy's float32 GEMM rate on the same shape, best of 3 (Debian's OpenBLAS, the same thread count). */
    static double numpyGflops() throws IOException, InterruptedException {
        String script = "import numpy as n,time\na=n.random.rand(2048,768).astype(n.float32);b=n.random.rand(768,3072).astype(n.float32)\n"
                + "a@b;a@b\nt=min((lambda s:(a@b,time.perf_counter()-s)[1])(time.perf_counter()) for _ in range(3))\n"
                + "print(2*2048*768*3072/t/1e9)\n";
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        try {
            return Double.parseDouble(out);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
