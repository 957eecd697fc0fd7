package headwise.app.corpus;

import headwise.engine.corpus.CorpusAccumulator;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.corpus.PartitionStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs the per-prompt step of a corpus on Spark ({@link SparkJob}): embedded (local mode) by default, or on the
 * cluster at {@code master}. A thin adapter: the prompts are cut into partitions, one job runs
 * {@link AnalysePartition} on those not yet saved, and each finished partition's accumulator is saved on the driver as
 * it arrives ({@link PartitionStore}), so a rerun computes only the partitions not yet saved. The driver merges the
 * partitions in partition order (the same sums in the same order, resumed or not). No analysis happens here.
 */
public final class CorpusJob {

    /**
     * @param model      the model as the executors load it (a folder or file every node has, or a bundled name)
     * @param master     a Spark master URL, or null for local mode on this machine's cores
     * @param partitions how many tasks the prompts are cut into (0: twice the task slots)
     * @param threads    native threads each task wants; spark.task.cpus is this, at most the executor's cores
     * @param workDir    Spark's scratch space (spark.local.dir); removed by Spark when the job ends
     * @param conf       further Spark settings (--conf KEY=VALUE)
     * @param options    the forward options every executor runs the model with
     * @param failure    tests: a partition whose first attempts fail
     */
    public record Settings(String model, String master, int partitions, int threads, Path workDir, Map<String, String> conf,
                           ExecutorOptions options, InjectedFailure failure) {

        SparkJob.Cluster cluster() {
            return new SparkJob.Cluster(master, partitions, threads, workDir, conf);
        }
    }

    /** Tests: the first {@code attempts} attempts of {@code partition} fail at its end. */
    public record InjectedFailure(int partition, int attempts) implements java.io.Serializable {
        public static final InjectedFailure NONE = new InjectedFailure(-1, 0);
    }

    /** The job's accumulator and how many of its prompts came from partitions saved by an earlier run. */
    public record Result(CorpusAccumulator all, int resumedPrompts) {
    }

    /** Opens the store of finished partitions once the number of partitions is known (it is part of the run's key). */
    @FunctionalInterface
    public interface Stores {
        PartitionStore open(int partitions);
    }

    private CorpusJob() {
    }

    /** @param prompts checked token ids, in corpus order; the result's prompt indices refer to this list */
    public static Result run(Settings settings, List<int[]> prompts, Stores stores, Consumer<CorpusProgress> progress,
                             CorpusCancel cancel) {
        List<PromptTask> tasks = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            tasks.add(new PromptTask(i, prompts.get(i)));
        }
        Map<Integer, CorpusAccumulator> parts = new TreeMap<>();
        Set<Integer> resumedParts = new java.util.HashSet<>();
        PartitionStore[] store = new PartitionStore[1];
        SparkJob.run("corpus", settings.cluster(), tasks,
                taskCpus -> new AnalysePartition(settings.model(), taskCpus, settings.options(), settings.failure()),
                new SparkJob.Results<CorpusAccumulator>() {
                    @Override
                    public Set<Integer> finishedBefore(int partitions) {
                        store[0] = stores.open(partitions);
                        parts.putAll(store[0].finished());
                        resumedParts.addAll(parts.keySet());
                        return resumedParts;
                    }

                    @Override
                    public void accept(int partition, CorpusAccumulator part) {
                        store[0].save(partition, part); // saved at once, kept for the merge
                        synchronized (parts) {
                            parts.put(partition, part);
                        }
                    }
                }, progress, cancel);
        CorpusAccumulator all = new CorpusAccumulator();
        int resumed = 0;
        for (Map.Entry<Integer, CorpusAccumulator> part : parts.entrySet()) {
            all.merge(part.getValue());
            resumed += resumedParts.contains(part.getKey()) ? part.getValue().prompts().size() : 0;
        }
        return new Result(all, resumed);
    }
}
