package headwise.app.corpus;

import org.apache.spark.FutureAction;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.concurrent.CancellationException;

/**
 * Cancels a running corpus job from another thread (the app's Cancel): Spark kills the job's tasks (their threads
 * interrupted; each also stops between prompts) and the run ends with a {@link CancellationException}. The finished
 * partitions stay saved, so running again resumes.
 */
public final class CorpusCancel {

    static final String JOB_GROUP = "headwise-corpus";
    private JavaSparkContext spark;
    private FutureAction<?> job;
    private boolean cancelled;

    public synchronized void cancel() {
        cancelled = true;
        if (job != null) {
            job.cancel();
        } else if (spark != null) {
            spark.sc().cancelJobGroup(JOB_GROUP);
        }
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** Throws if cancelled (checked between the driver's own steps). */
    public synchronized void check() {
        if (cancelled) {
            throw new CancellationException("corpus run cancelled");
        }
    }

    /**
     * The job's context while it runs (null when it ends); a cancel that came first stops the run at once. The job
     * group makes a cancel interrupt the tasks' threads.
     */
    synchronized void attach(JavaSparkContext context) {
        spark = context;
        job = null;
        if (context != null) {
            context.setJobGroup(JOB_GROUP, "headwise corpus", true);
            check();
        }
    }

    /** The submitted job; cancelled at once when a cancel came before it. */
    synchronized void watch(FutureAction<?> submitted) {
        job = submitted;
        if (cancelled) {
            submitted.cancel();
        }
    }
}
