package headwise.app.ui.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * What runs after the input changes, one job at a time on {@link EngineTasks}. A new input ({@link #newInput})
 * cancels whatever is still running or queued for the old one and starts its own first job; follow-up jobs for the
 * same input ({@link #follow}: parts a page asks for, exports, and what is cheap enough to compute on its own) queue
 * behind it and run in order. A failure or a cancel drops the queue. FX thread only.
 */
public final class RunScheduler {

    /**
     * One job: its status-bar message, its work (engine thread), what to do with the result (FX thread), and what to
     * do with a result that arrives after the job was abandoned (close a model it loaded).
     */
    public record Job<T>(String message, EngineTasks.Work<T> work, Consumer<T> onSuccess, Consumer<T> onDiscard) {

        public Job(String message, EngineTasks.Work<T> work, Consumer<T> onSuccess) {
            this(message, work, onSuccess, value -> { });
        }
    }

    private final EngineTasks tasks;
    private final Consumer<Throwable> onFailure;
    private final Deque<Job<?>> queue = new ArrayDeque<>();
    private long input;
    private boolean running;

    /** @param onFailure told of every job that fails (FX thread); the queue is dropped first */
    public RunScheduler(EngineTasks tasks, Consumer<Throwable> onFailure) {
        this.tasks = tasks;
        this.onFailure = onFailure;
    }

    /** The input changed: everything for the old one is cancelled, and {@code first} runs now. */
    public void newInput(Job<?> first) {
        input++;
        queue.clear();
        start(first);
    }

    /** Runs {@code job} for the current input after the jobs before it. */
    public void follow(Job<?> job) {
        queue.add(job);
        if (!running) {
            startNext();
        }
    }

    /** Stops the running job and drops the queued ones; true when a job was running. */
    public boolean cancel() {
        queue.clear();
        running = false;
        return tasks.cancel();
    }

    /** How many inputs have been started: a job compares it to know whether its input is still the current one. */
    public long input() {
        return input;
    }

    /** Jobs waiting behind the running one. */
    public int queued() {
        return queue.size();
    }

    public boolean isBusy() {
        return running;
    }

    private void startNext() {
        Job<?> next = queue.poll();
        if (next != null) {
            start(next);
        }
    }

    private <T> void start(Job<T> job) {
        running = true;
        long startedFor = input;
        tasks.submit(job.message(), job.work(), value -> {
            running = false;
            job.onSuccess().accept(value);
            if (!running && startedFor == input) {
                startNext(); // unless the success handler started a new input (a load then its run)
            }
        }, error -> {
            running = false;
            queue.clear();
            onFailure.accept(error);
        }, job.onDiscard());
    }
}
