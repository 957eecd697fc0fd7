package headwise.engine.corpus;

import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of a corpus run, loaded once per JVM (a Spark executor, or the driver in local mode) on first use and
 * kept for every later task: a model load takes seconds, a prompt milliseconds. Keyed by the model as given; each
 * task runs it with the run's forward options (a cheap view of the same weights).
 */
public final class ExecutorModels {

    private static final Map<String, LoadedModel> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /**
     * @param threads native (ND4J and OpenBLAS) threads for each task: the cores a task holds, so that tasks running
     *                side by side do not oversubscribe the machine
     */
    public static LoadedModel get(String model, int threads, ForwardOptions options) {
        setNativeThreads(threads); // every task: a JVM that ran another run since (the app) may have others set
        return MODELS.computeIfAbsent(model, ModelLoader::load).withOptions(options);
    }

    /** The JVM's native thread counts now, to give back after a run inside a process that goes on (the app). */
    public static int[] nativeThreads() {
        return new int[] {Nd4j.getEnvironment().maxThreads(), Nd4j.getEnvironment().maxMasterThreads(),
            Nd4j.factory().blas().getMaxThreads()};
    }

    /** Restores what {@link #nativeThreads} returned. */
    public static void restoreNativeThreads(int[] saved) {
        Nd4j.getEnvironment().setMaxThreads(saved[0]);
        Nd4j.getEnvironment().setMaxMasterThreads(saved[1]);
        Nd4j.factory().blas().setMaxThreads(saved[2]);
    }

    private static void setNativeThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
