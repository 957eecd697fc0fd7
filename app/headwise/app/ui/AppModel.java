package headwise.app.ui;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The window's state and commands. Call it on the FX thread only; all engine work (loading, ND4J start-up,
 * analysis) runs in background tasks, and their outcome comes back to the FX thread. A failed or cancelled run
 * leaves the previous result in place; a cancelled run is abandoned: it may finish in the background, but
 * nothing it produces is used.
 */
public final class AppModel {

    private final ReadOnlyObjectWrapper<AnalysisResult> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper failed = new ReadOnlyBooleanWrapper(this, "failed", false);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);

    /** A thread per task, so an abandoned run never holds up the next one; daemons, so none keeps the app alive. */
    private final ExecutorService engine = Executors.newCachedThreadPool(new DaemonThreads());
    private final String modelName;
    private LoadedModel model;
    private Task<?> running;

    /** @param modelName a bundled model's name or a model folder */
    public AppModel(String modelName) {
        this.modelName = modelName;
    }

    /** The latest successful analysis, or null before the first. */
    public ReadOnlyObjectProperty<AnalysisResult> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** One line: what is happening, what the last run gave, or what went wrong. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Whether the status line reports an error. */
    public ReadOnlyBooleanProperty failedProperty() {
        return failed.getReadOnlyProperty();
    }

    /** Whether engine work is running. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public AnalysisResult result() {
        return result.get();
    }

    public boolean isBusy() {
        return busy.get();
    }

    /** Loads the model, then analyses {@code text}. */
    public void start(String text) {
        submit("Loading " + modelName + "\u2026", () -> ModelLoader.load(modelName), loaded -> {
            LoadedModel previous = model;
            model = loaded;
            if (previous != null) {
                previous.close();
            }
            analyse(text);
        });
    }

    /** Analyses {@code text} with the model (loading it first if it is not loaded). */
    public void analyse(String text) {
        if (text == null || text.isBlank()) {
            abandonRunning();
            show("Error: the text is empty; type a sentence to analyse", true);
            return;
        }
        LoadedModel current = model;
        if (current == null) {
            start(text);
            return;
        }
        submit("Analysing\u2026", () -> timed(current, text), done -> {
            result.set(done.result());
            AnalysisResult r = done.result();
            show(String.format("%s \u00b7 %d tokens \u00b7 %d layers \u00d7 %d heads \u00b7 %d ms", r.modelName(),
                    r.input().length(), r.spec().layers(), r.spec().heads(), done.millis()), false);
        });
    }

    /** Abandons the running task: the UI is idle at once, and the previous result stays. */
    public void cancel() {
        if (abandonRunning()) {
            show(result.get() == null ? "Cancelled" : "Cancelled; showing the previous result", false);
        }
    }

    /** Abandons any running task and closes the model; for when the window closes. */
    public void close() {
        abandonRunning();
        engine.shutdownNow();
        if (model != null) {
            model.close();
            model = null;
        }
    }

    /** One line for the status bar: a HeadwiseException's own message, otherwise the kind of failure and its first line. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HeadwiseException) {
                return t.getMessage();
            }
        }
        String message = error.getMessage() == null ? "" : ": " + error.getMessage().lines().findFirst().orElse("");
        return error.getClass().getSimpleName() + message;
    }

    private record Timed(AnalysisResult result, long millis) {
    }

    private static Timed timed(LoadedModel model, String text) {
        long start = System.nanoTime();
        AnalysisResult analysis = Analyzer.analyze(model, ModelInput.fromText(model, text));
        return new Timed(analysis, (System.nanoTime() - start) / 1_000_000);
    }

    private <T> void submit(String message, Callable<T> work, Consumer<T> onSuccess) {
        abandonRunning();
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        task.setOnSucceeded(e -> {
            if (finish(task)) {
                onSuccess.accept(task.getValue());
            }
        });
        task.setOnFailed(e -> {
            if (finish(task)) {
                show("Error: " + describe(task.getException()), true);
            }
        });
        running = task;
        busy.set(true);
        show(message, false);
        engine.execute(task);
    }

    /** True when {@code task} is still the one the UI waits for (and it is now done). */
    private boolean finish(Task<?> task) {
        if (task != running) {
            return false;
        }
        running = null;
        busy.set(false);
        return true;
    }

    private boolean abandonRunning() {
        Task<?> task = running;
        if (task == null) {
            return false;
        }
        running = null;
        task.cancel(true);
        busy.set(false);
        return true;
    }

    private void show(String message, boolean error) {
        status.set(message);
        failed.set(error);
    }

    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "headwise-engine-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
