package headwise.engine.bench;

import headwise.engine.analysis.relevance.Relevance;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;

import java.util.Random;

/**
 * Times one relevance map (graph build, forward and backward under the method's rules) on the same random ids as
 * {@link ForwardBenchmark}, the target resolved once beforehand (its forward is not counted).
 */
public final class RelevanceBenchmark {

    private RelevanceBenchmark() {
    }

    /** Milliseconds of each of {@code repeat} timed maps, after one untimed one. */
    public static double[] run(LoadedModel model, int tokens, RelevanceMethod method, int repeat) {
        int[] ids = new Random(42).ints(tokens, 0, model.spec().vocabSize()).toArray();
        ModelInput input = new ModelInput(ids, new String[ids.length], null, null);
        input.validate(model.spec(), "--tokens");
        Relevance.Prepared prepared = Relevance.prepare(model, input, null, null);
        Relevance.compute(model, prepared, method);
        double[] times = new double[Math.max(1, repeat)];
        for (int r = 0; r < times.length; r++) {
            long start = System.nanoTime();
            Relevance.compute(model, prepared, method);
            times[r] = (System.nanoTime() - start) / 1e6;
        }
        return times;
    }
}
