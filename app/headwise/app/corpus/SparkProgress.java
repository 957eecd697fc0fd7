package headwise.app.corpus;

import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.Locale;
import java.util.function.Consumer;

/** Turns Spark's finished tasks into a progress line: prompts done / total, rate and time left. */
final class SparkProgress extends SparkListener {

    private final long[] partitionSizes;
    private final long total;
    private final Consumer<String> sink;
    private final long start = System.nanoTime();
    private final boolean[] done;
    private long prompts;

    SparkProgress(long[] partitionSizes, Consumer<String> sink) {
        this.partitionSizes = partitionSizes.clone();
        this.done = new boolean[partitionSizes.length];
        this.total = java.util.Arrays.stream(partitionSizes).sum();
        this.sink = sink;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        int partition = end.taskInfo().index();
        if (end.reason() instanceof TaskFailedReason failed) { // counts nothing; Spark retries it up to its limit
            sink.accept("corpus: the task of partition " + partition + " failed (attempt " + (end.taskInfo().attemptNumber() + 1)
                    + "): " + failed.toErrorString().lines().findFirst().orElse(""));
            return;
        }
        // a speculative duplicate counts once
        if (end.reason() != Success$.MODULE$ || partition >= done.length || done[partition]) {
            return;
        }
        done[partition] = true;
        prompts += partitionSizes[partition];
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = prompts / Math.max(seconds, 1e-9);
        sink.accept(line(prompts, total, rate));
    }

    static String line(long done, long total, double rate) {
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        return String.format(Locale.ROOT, "corpus: %d/%d prompts, %.1f prompts/s, ETA %.0f s", done, total, rate, eta);
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
