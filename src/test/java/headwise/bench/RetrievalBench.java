package headwise.bench;

import headwise.app.cli.PeakMemory;
import headwise.engine.analysis.heads.NeedlePrompt;
import headwise.engine.analysis.heads.RetrievalScore;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.Generation;
import headwise.engine.run.Generator;

/**
 * Not a test: the retrieval-head score (Wu et al.) on a long random-id haystack, which decodes after a prompt too long
 * for whole attention patterns (the prompt attends in query blocks; each step's row is still observed). Prints the
 * prompt's and the decoding's times, the number of retrieval heads, peak RSS and the load average; then, unless
 * {@code plain=false}, one plain forward of the same prompt (no hooks, no cache) in the same process, wall and
 * process CPU time beside the generation's, so a prompt phase slower than the forward it amounts to shows.
 * <pre>OMP_NUM_THREADS=2 java -Xmx8g -cp "target/classes:target/test-classes:$(cat target/cp.txt)" headwise.bench.RetrievalBench \
 *   target/bench-models/tinyllama [haystack=4096] [needle=16] [plain=true]</pre>
 */
public final class RetrievalBench {

    public static void main(String[] args) {
        String folder = args[0];
        int haystack = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int needle = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        boolean plain = args.length <= 3 || Boolean.parseBoolean(args[3]);
        try (LoadedModel model = ModelLoader.load(folder)) {
            NeedlePrompt prompt = NeedlePrompt.randomIds(model.spec(), haystack, needle, needle / 2, 42, null);
            System.out.printf("%s: %d-token prompt (haystack %d, needle %d), blocked prompt: %s, load %s%n", folder,
                    prompt.ids().length, haystack, needle, model.transformer().attendsInBlocks(1, prompt.ids().length,
                            prompt.ids().length), BatchBench.load());
            long start = System.nanoTime();
            long cpu = LongInputBench.processCpuNanos();
            Generation g = Generator.generate(model.transformer(), prompt.ids(),
                    new Generator.Settings(prompt.needleLength(), new int[0], true, false, false));
            RetrievalScore score = RetrievalScore.score(g, prompt);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("retrieval score: %.1f s (process CPU %.1f s; prompt %.1f s, %d steps %.1f s), %d heads above %.1f, peak_rss_mib=%d, load %s%n",
                    seconds, (LongInputBench.processCpuNanos() - cpu) / 1e9, g.promptNanos() / 1e9, g.ids().length,
                    g.decodeNanos() / 1e9, score.heads(RetrievalScore.DEFAULT_THRESHOLD).size(),
                    RetrievalScore.DEFAULT_THRESHOLD, PeakMemory.residentMib(), BatchBench.load());
            if (plain) {
                start = System.nanoTime();
                cpu = LongInputBench.processCpuNanos();
                model.transformer().run(new int[][] {prompt.ids()}, Hooks.none()).output().close();
                System.out.printf("plain forward of the same %d tokens: %.1f s (process CPU %.1f s), peak_rss_mib=%d, load %s%n",
                        prompt.ids().length, (System.nanoTime() - start) / 1e9, (LongInputBench.processCpuNanos() - cpu) / 1e9,
                        PeakMemory.residentMib(), BatchBench.load());
            }
        }
    }
}
