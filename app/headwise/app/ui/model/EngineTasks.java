package headwise.app.ui.model;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs engine work off the FX thread, one job at a time, as a {@link Task} whose message and progress the status
 * bar shows. Submitting a job abandons the one running; {@link #cancel} interrupts its thread, which the engine
 * checks between layers, so a cancelled forward stops within a layer. Outcomes of abandoned jobs are dropped.
 * FX thread only, except {@link #inFlight}.
 */
public final class EngineTasks {

    /** The work of one job; {@code progress} reports steps (message, done of total). */
    @FunctionalInterface
    public interface Work<T> {
        T call(Progress progress) throws Exception;
    }

    @FunctionalInterface
    public interface Progress {
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
    private Job<?> running;

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** −1 while a step's length is unknown, 0 when idle, else the fraction done. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public boolean isBusy() {
        return busy.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Starts {@code work} in place of any running job. Exactly one of {@code onSuccess} or {@code onFailure} runs on
     * the FX thread, unless the job is abandoned first.
     */
    public <T> void submit(String startMessage, Work<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        submit(startMessage, work, onSuccess, onFailure, value -> { });
    }

    /**
     * As above; {@code onDiscard} gets what an abandoned job still produced (a model it loaded, to close), on
     * whichever thread sees the abandonment last, so nothing a cancelled job made is lost unclosed.
     */
    public <T> void submit(String startMessage, Work<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure,
                           Consumer<T> onDiscard) {
        abandon();
        Job<T> task = new Job<>(onDiscard) {
            @Override
            protected T call() throws Exception {
                inFlight.incrementAndGet();
                try {
                    return produced(work.call((text, done, total) -> {
                        updateMessage(text);
                        updateProgress(total <= 0 ? -1 : done, Math.max(1, total));
                    }));
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        task.setOnSucceeded(e -> {
            if (task != running) {
                task.discard();
                return;
            }
            // idle only if the handler starts no follow-up: a watcher on another thread never sees a gap between them
            running = null;
            onSuccess.accept(task.take());
            if (running == null) {
                idle();
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
    public boolean cancel() {
        return abandon();
    }

    public void close() {
        abandon();
        threads.shutdownNow();
    }

    private boolean finish(Job<?> task) {
        if (task != running) {
            return false;
        }
        idle();
        return true;
    }

    private boolean abandon() {
        Job<?> task = running;
        if (task == null) {
            return false;
        }
        idle();
        task.abandon();
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

    /**
     * A Task that can show its first message before it starts, and hands what it produced to exactly one owner: the
     * FX thread's onSuccess, or onDiscard when the job was abandoned (before or after the value arrived).
     */
    private abstract static class Job<T> extends Task<T> {
        private final AtomicReference<T> value = new AtomicReference<>();
        private final AtomicBoolean abandoned = new AtomicBoolean();
        private final Consumer<T> onDiscard;

        Job(Consumer<T> onDiscard) {
            this.onDiscard = onDiscard;
        }

        void announce(String text) {
            updateMessage(text);
            updateProgress(-1, 1);
        }

        /** Engine thread: keeps {@code v} for its owner; discards it at once when the job was abandoned meanwhile. */
        T produced(T v) {
            value.set(v);
            if (abandoned.get()) {
                discard();
            }
            return v;
        }

        T take() {
            return value.getAndSet(null);
        }

        void discard() {
            T v = take();
            if (v != null) {
                onDiscard.accept(v);
            }
        }

        void abandon() {
            abandoned.set(true);
            cancel(true);
            discard();
        }
    }
}
