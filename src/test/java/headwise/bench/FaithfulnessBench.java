package headwise.bench;

import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.FaithfulnessBaseline;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.RelevanceTarget;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.BlasKernels;
import headwise.engine.run.ModelInput;

import java.util.Random;

/**
 * Not a test: the time of one map's deletion and insertion curves (2 × 33 forwards of the input with units removed,
 * issue 23) on random ids, best of the rounds, with process CPU seconds (the machine is shared).
 * <pre>OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE java -Xmx6g -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
 *   headwise.bench.FaithfulnessBench target/bench-models/gpt2-small [tokens=128] [rounds=3]</pre>
 */
public final class FaithfulnessBench {

    public static void main(String[] args) throws Exception {
        String blas = BlasKernels.chooseBeforeLoading();
        String folder = args.length > 0 ? args[0] : "target/bench-models/gpt2-small";
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (LoadedModel model = ModelLoader.load(folder)) {
            Random random = new Random(42);
            ModelInput input = ModelInput.fromIds(model, random.ints(tokens, 0, model.spec().vocabSize()).toArray());
            double[] relevance = random.doubles(tokens).toArray(); // the curves' cost does not depend on the order
            RelevanceMap map = new RelevanceMap("random", new RelevanceTarget(tokens - 1, 0), 0, relevance, 0, 0, new double[0][]);
            System.out.printf("%s: %d tokens, blas: %s; %s%n", folder, tokens, blas, BlasKernels.inUse());
            Faithfulness.compute(model, input, map, FaithfulnessBaseline.token(0)); // warm-up
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int r = 1; r <= rounds; r++) {
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                Faithfulness curves = Faithfulness.compute(model, input, map, FaithfulnessBaseline.token(0));
                System.out.printf("round %d: %d steps, %.2f s (cpu %.2f s), deletion area %.4f, load %s%n", r, curves.steps(),
                        (System.nanoTime() - start) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9, curves.deletionArea(),
                        BatchBench.load());
            }
        }
    }
}
