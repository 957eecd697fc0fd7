package headwise.app.corpus;

import headwise.engine.corpus.CorpusAccumulator;
import headwise.engine.corpus.CorpusAnalysis;
import headwise.engine.corpus.ExecutorModels;
import headwise.engine.load.LoadedModel;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The Spark task: the executor's model (loaded once per JVM), the engine's per-prompt step for every prompt of the
 * partition, and one accumulator out. The partition's result leaves only when the whole partition is done, so a
 * retried task neither loses nor doubles prompts.
 */
final class AnalysePartition implements FlatMapFunction<Iterator<PromptTask>, CorpusAccumulator> {

    private final String model;
    private final int threads;
    private final int failPartitionOnce;

    /** @param failPartitionOnce a partition whose first attempt fails at its end (tests of Spark's retry), or −1 */
    AnalysePartition(String model, int threads, int failPartitionOnce) {
        this.model = model;
        this.threads = threads;
        this.failPartitionOnce = failPartitionOnce;
    }

    @Override
    public Iterator<CorpusAccumulator> call(Iterator<PromptTask> prompts) {
        LoadedModel loaded = ExecutorModels.get(model, threads);
        CorpusAccumulator partition = new CorpusAccumulator();
        List<PromptTask> all = new ArrayList<>();
        prompts.forEachRemaining(all::add);
        CorpusAnalysis.addPrompts(loaded, all.stream().mapToInt(PromptTask::index).toArray(),
                all.stream().map(PromptTask::ids).toArray(int[][]::new), partition);
        TaskContext task = TaskContext.get();
        if (task != null && task.partitionId() == failPartitionOnce && task.attemptNumber() == 0) {
            throw new IllegalStateException("injected failure of partition " + failPartitionOnce + ", first attempt");
        }
        return List.of(partition).iterator();
    }
}
