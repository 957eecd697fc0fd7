package headwise.engine.corpus;

import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of a corpus run, loaded once per JVM (a Spark executor, or the driver in local mode) on first use and
 * kept for every later task: a model load takes seconds, a prompt milliseconds. Keyed by the model as given.
 */
public final class ExecutorModels {

    private static final Map<String, LoadedModel> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /**
     * @param threads native (ND4J and OpenBLAS) threads for each task: the cores a task holds, so that tasks running
     *                side by side do not oversubscribe the machine
     */
    public static LoadedModel get(String model, int threads) {
        return MODELS.computeIfAbsent(model, name -> {
            setNativeThreads(threads);
            return ModelLoader.load(name);
        });
    }

    private static void setNativeThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
