package headwise.engine.bench;

import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;

import java.util.Arrays;
import java.util.Random;

/**
 * Times full forwards with every attention pattern captured (what PyTorch's output_attentions=True keeps),
 * on random token ids (seed 42), after {@link #WARM_UP} untimed ones: the JIT compiles the element-wise loops into
 * vector code only after they have run a while (PyTorch's reference warms up as many times).
 */
public final class ForwardBenchmark {

    public static final int WARM_UP = 3;

    private ForwardBenchmark() {
    }

    /**
     * Each timed forward's milliseconds, and the SGEMM rate (GFLOP/s, the forward's largest GEMM shape) measured
     * right after it: on a shared machine whose speed drifts within minutes, a forward is compared with the rate of
     * its own moment.
     */
    public record Timing(double[] milliseconds, double[] sgemmGflops) {

        /** Median over the runs of each forward's GFLOP/s divided by the SGEMM rate measured after it. */
        public double utilisation(double forwardFlops) {
            double[] ratios = new double[milliseconds.length];
            for (int r = 0; r < ratios.length; r++) {
                ratios[r] = forwardFlops / (milliseconds[r] / 1e3) / 1e9 / sgemmGflops[r];
            }
            return median(ratios);
        }
    }

    /** {@code repeat} timed forwards on {@code tokens} ids, each followed by a measurement of the SGEMM rate. */
    public static Timing run(LoadedModel model, int tokens, int repeat) {
        ModelSpec spec = model.spec();
        int[] ids = new Random(42).ints(tokens, 0, spec.vocabSize()).toArray();
        ModelInput input = new ModelInput(ids, new String[ids.length], null, null);
        input.validate(spec, "--tokens");
        for (int w = 0; w < WARM_UP; w++) {
            forward(model, input);
        }
        double[] times = new double[Math.max(1, repeat)];
        double[] rates = new double[times.length];
        for (int r = 0; r < times.length; r++) {
            long start = System.nanoTime();
            forward(model, input);
            times[r] = (System.nanoTime() - start) / 1e6;
            rates[r] = GemmRate.gflops(tokens, spec.dModel(), spec.dMlp(), 5);
        }
        return new Timing(times, rates);
    }

    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** What analyze does: the forward, every layer's attention copied out as it is produced, the output read back. */
    private static void forward(LoadedModel model, ModelInput input) {
        Analyzer.analyze(model, input);
    }
}
