package headwise.bench;

import headwise.engine.bench.ForwardFlops;
import headwise.engine.bench.GemmRate;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.BlasKernels;
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
 * Three workloads, the same work on both sides: the plain forward (logits of every position, no hooks), the analysis
 * (every attention map captured per prompt, the outputs cut out: BatchAnalyzer against Analyzer) and the corpus job's
 * step (the same on the model without logits). Prints, per timing, tokens/s, process CPU seconds, GFLOP/s (matrix
 * products, ForwardFlops) against the SGEMM rate measured right after it through ND4J's gemm (2048×768·768×3072) and
 * through numpy (same shape and threads; its OpenBLAS reads the same OPENBLAS_CORETYPE), and the load average; then
 * one summary line per workload from each side's fastest round, for the table in docs/performance.md. The first line
 * names the OpenBLAS in use and its kernels ({@code -Dheadwise.blas=avx512}: BlasKernels).
 * <pre>OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -Xmx6g -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
 *   headwise.bench.BatchBench target/bench-models/gpt2-small [prompts=64] [tokens=128] [rounds=2] [maxTokens=2048]</pre>
 */
public final class BatchBench {

    /** One timing: wall and process CPU seconds, the SGEMM rates right after it, the load average then. */
    private record Timing(double seconds, double cpuSeconds, double nd4jGflops, double numpyGflops, String load) {
    }

    public static void main(String[] args) throws Exception {
        String blasChoice = BlasKernels.chooseBeforeLoading();
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
            System.out.printf("blas: %s; %s%n", blasChoice, BlasKernels.inUse());
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
            LoadedModel noLogits = model.withoutLogits(); // what the corpus job runs: it reads attention only
            double noLogitsFlops = flops - prompts * ForwardFlops.unembed(model.spec(), tokens);
            String[] names = {"forward", "analyze", "corpus step (no logits)"};
            double[] work = {flops, flops, noLogitsFlops};
            Runnable[][] sides = {
                {forwardAlone, forwardBatched},
                {() -> inputs.forEach(input -> Analyzer.analyze(model, input)),
                    () -> BatchAnalyzer.analyzeEach(model, inputs, maxTokens, maxPrompts, (result, i) -> { })},
                {() -> inputs.forEach(input -> Analyzer.analyze(noLogits, input)),
                    () -> BatchAnalyzer.analyzeEach(noLogits, inputs, maxTokens, maxPrompts, (result, i) -> { })},
            };
            // warm-up: the JIT vectorises the element-wise loops once they are hot
            for (int w = 0; w < 2; w++) {
                transformer.run(new int[][] {ids[0]}, Hooks.none());
                transformer.runPadded(new int[][] {ids[0], ids[1]}, new int[] {tokens, tokens}, Hooks.none());
            }
            Timing[][] best = new Timing[names.length][2];
            for (int r = 1; r <= rounds; r++) {
                for (int w = 0; w < names.length; w++) {
                    for (int side = 0; side < 2; side++) {
                        Timing t = time(sides[w][side]);
                        print(String.format("round %d %s, %s", r, names[w], side == 0 ? "one at a time" : "batched"),
                                t, prompts * tokens, work[w]);
                        if (best[w][side] == null || t.seconds() < best[w][side].seconds()) {
                            best[w][side] = t;
                        }
                    }
                }
            }
            System.out.printf("summary (each side's fastest of %d rounds; %% of SGEMM: of ND4J's / numpy's rate measured right after it)%n", rounds);
            System.out.println("| workload | one at a time | batched | batched / one at a time | SGEMM ND4J / numpy after each (GFLOP/s) | load |");
            for (int w = 0; w < names.length; w++) {
                Timing a = best[w][0];
                Timing b = best[w][1];
                System.out.printf("| %s | %s | %s | %.2fx (cpu %.2fx) | %.0f / %.0f; %.0f / %.0f | %s; %s |%n", names[w],
                        cell(a, prompts * tokens, work[w]), cell(b, prompts * tokens, work[w]), a.seconds() / b.seconds(),
                        a.cpuSeconds() / b.cpuSeconds(), a.nd4jGflops(), a.numpyGflops(), b.nd4jGflops(), b.numpyGflops(),
                        a.load(), b.load());
            }
        }
    }

    private static Timing time(Runnable work) throws IOException, InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        return new Timing(seconds, cpuSeconds, GemmRate.gflops(2048, 768, 3072, 3), numpyGflops(), load());
    }

    // process CPU time too: on a shared machine wall time mostly measures the other processes
    private static void print(String what, Timing t, int totalTokens, double flops) {
        System.out.printf("  %-50s %s, SGEMM ND4J %.1f, numpy %.1f GFLOP/s, load %s%n", what, cell(t, totalTokens, flops),
                t.nd4jGflops(), t.numpyGflops(), t.load());
    }

    /** "13.47 s (cpu 26.1 s), 608 tok/s, 153 GFLOP/s = 72% / 58% of SGEMM". */
    private static String cell(Timing t, int totalTokens, double flops) {
        double rate = flops / t.seconds() / 1e9;
        return String.format("%.2f s (cpu %.1f s), %.0f tok/s, %.0f GFLOP/s = %.0f%% / %.0f%% of SGEMM", t.seconds(),
                t.cpuSeconds(), totalTokens / t.seconds(), rate, 100 * rate / t.nd4jGflops(), 100 * rate / t.numpyGflops());
    }

    /** numpy's float32 GEMM rate on the same shape, best of 3 (Debian's OpenBLAS, the same thread count and kernels). */
    static double numpyGflops() throws IOException, InterruptedException {
        String script = "import numpy as n,time\na=n.random.rand(2048,768).astype(n.float32);b=n.random.rand(768,3072).astype(n.float32)\n"
                + "a@b;a@b\nt=min((lambda s:(a@b,time.perf_counter()-s)[1])(time.perf_counter()) for _ in range(3))\n"
                + "print(2*2048*768*3072/t/1e9)\n";
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true);
        String core = BlasKernels.core();
        if (core != null) { // the kernels ND4J's OpenBLAS runs (a setenv in this JVM does not reach its children)
            builder.environment().put("OPENBLAS_CORETYPE", core);
        }
        Process p = builder.start();
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
