package headwise.app.corpus;

import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.function.Consumer;

/** Turns Spark's finished tasks into {@link CorpusProgress}: records (prompts, examples) done / total, rate and time left. */
final class SparkProgress extends SparkListener {

    private final long[] partitionSizes;
    private final long total;
    private final long resumed;
    private final Consumer<CorpusProgress> sink;
    private final long start = System.nanoTime();
    private final boolean[] done;
    private final String job;
    private long computed;

    /**
     * @param finished partitions already done before this run (resumed): they count as done, not in the rate
     * @param job      the job's name at the start of a failed task's line ("corpus", "probe")
     */
    SparkProgress(long[] partitionSizes, boolean[] finished, Consumer<CorpusProgress> sink, String job) {
        this.partitionSizes = partitionSizes.clone();
        this.done = finished.clone();
        long all = 0;
        long before = 0;
        for (int p = 0; p < partitionSizes.length; p++) {
            all += partitionSizes[p];
            before += finished[p] ? partitionSizes[p] : 0;
        }
        this.total = all;
        this.resumed = before;
        this.sink = sink;
        this.job = job;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        int partition = end.taskInfo().index();
        if (end.reason() instanceof TaskFailedReason failed) { // counts nothing; Spark retries it up to its limit
            sink.accept(new CorpusProgress(resumed + computed, total, resumed, Double.NaN, Double.NaN,
                    job + ": the task of partition " + partition + " failed (attempt " + (end.taskInfo().attemptNumber() + 1)
                    + "): " + failed.toErrorString().lines().findFirst().orElse("")));
            return;
        }
        // a speculative duplicate counts once; a job over some partitions numbers its tasks by their place in it
        if (end.reason() != Success$.MODULE$ || partition >= done.length || done[partition]) {
            return;
        }
        done[partition] = true;
        computed += partitionSizes[partition];
        sink.accept(progress());
    }

    /** The state now (also the first report, before any task ends). */
    synchronized CorpusProgress progress() {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = computed / Math.max(seconds, 1e-9);
        long left = total - resumed - computed;
        return new CorpusProgress(resumed + computed, total, resumed, rate, rate > 0 ? left / rate : Double.NaN, null);
    }

    /** How Spark's parallelize cuts {@code count} records into {@code slices} (ParallelCollectionRDD.slice). */
    static long[] sliceSizes(int count, int slices) {
        long[] sizes = new long[slices];
        for (int i = 0; i < slices; i++) {
            sizes[i] = (long) (i + 1) * count / slices - (long) i * count / slices;
        }
        return sizes;
    }
}
