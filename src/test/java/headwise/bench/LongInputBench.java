package headwise.bench;

import headwise.app.cli.PeakMemory;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;

import java.util.Random;

/**
 * Not a test: one full analysis of a long random input (no warm-up: at 8192 tokens one forward of a 1B model is the
 * measurement), then reading heads back, as exploring does. Prints the attention storage chosen, times and peak RSS.
 * <pre>OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -Xmx8g -cp 'target/classes:target/test-classes:target/lib/*' \
 *   headwise.bench.LongInputBench target/bench-models/tinyllama 8192</pre>
 */
public final class LongInputBench {

    public static void main(String[] args) {
        String folder = args[0];
        int tokens = Integer.parseInt(args[1]);
        long start = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(folder)) {
            System.out.printf("load: %.1f s, peak_rss_mib=%d%n", seconds(start), PeakMemory.residentMib());
            int[] ids = new Random(42).ints(tokens, 0, model.spec().vocabSize()).toArray();
            start = System.nanoTime();
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, ids));
            AttentionMaps attention = result.attention();
            System.out.printf("forward with attention (%s) on %d tokens: %.1f s, peak_rss_mib=%d%n", attention.precision(), tokens,
                    seconds(start), PeakMemory.residentMib());
            int lastLayer = attention.layers() - 1;
            for (int head = 0; head < 2; head++) {
                start = System.nanoTime();
                float[] pattern = attention.head(lastLayer, head);
                double entropy = meanRowEntropy(pattern, tokens);
                System.out.printf("layer %d head %d: read in %.2f s, mean row entropy %.3f nats, A[T-1][0]=%.4g%n", lastLayer, head,
                        seconds(start), entropy, pattern[(tokens - 1) * tokens]);
            }
            System.out.printf("peak_rss_mib=%d heap_max_mib=%d%n", PeakMemory.residentMib(), Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    private static double meanRowEntropy(float[] a, int t) {
        double total = 0;
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                float p = a[i * t + j];
                if (p > 0) {
                    total -= p * Math.log(p);
                }
            }
        }
        return total / t;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
