package headwise.app.ui;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs engine work off the FX thread, one job at a time, as a {@link Task} whose message and progress the status
 * bar shows. Submitting a job abandons the one running; {@link #cancel} interrupts its thread, which the engine
 * checks between layers, so a cancelled forward stops within a layer. Outcomes of abandoned jobs are dropped.
 * FX thread only, except {@link #inFlight}.
 */
final class EngineTasks {

    /** The work of one job; {@code progress} reports steps (message, done of total). */
    @FunctionalInterface
    interface Work<T> {
        T call(Progress progress) throws Exception;
    }

    @FunctionalInterface
    interface Progress {
        void step(String message, int done, int total);
    }

    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    /** Jobs whose thread is still working, abandoned ones included: shows that cancel really stops them. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "headwise-engine");
        thread.setDaemon(true); // an abandoned job never keeps the app alive
        return thread;
    });
    private Task<?> running;

    ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** −1 while a step's length is unknown, 0 when idle, else the fraction done. */
    ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    boolean isBusy() {
        return busy.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Starts {@code work} in place of any running job. Exactly one of {@code onSuccess} or {@code onFailure} runs on
     * the FX thread, unless the job is abandoned first.
     */
    <T> void submit(String startMessage, Work<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        abandon();
        Job<T> task = new Job<>() {
            @Override
            protected T call() throws Exception {
                inFlight.incrementAndGet();
                try {
                    return work.call((text, done, total) -> {
                        updateMessage(text);
                        updateProgress(total <= 0 ? -1 : done, Math.max(1, total));
                    });
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        task.setOnSucceeded(e -> {
            if (finish(task)) {
                onSuccess.accept(task.getValue());
            }
        });
        task.setOnFailed(e -> {
            if (finish(task)) {
                onFailure.accept(task.getException());
            }
        });
        running = task;
        busy.set(true);
        message.bind(task.messageProperty());
        progress.bind(task.progressProperty());
        task.announce(startMessage);
        threads.execute(task);
    }

    /** Stops the running job (its thread is interrupted); true when there was one. */
    boolean cancel() {
        return abandon();
    }

    void close() {
        abandon();
        threads.shutdownNow();
    }

    private boolean finish(Task<?> task) {
        if (task != running) {
            return false;
        }
        idle();
        return true;
    }

    private boolean abandon() {
        Task<?> task = running;
        if (task == null) {
            return false;
        }
        idle();
        task.cancel(true);
        return true;
    }

    private void idle() {
        running = null;
        message.unbind();
        progress.unbind();
        message.set("");
        progress.set(0);
        busy.set(false);
    }

    /** A Task that can show its first message before it starts. */
    private abstract static class Job<T> extends Task<T> {
        void announce(String text) {
            updateMessage(text);
            updateProgress(-1, 1);
        }
    }
}
