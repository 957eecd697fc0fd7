package headwise.app.corpus;

import headwise.engine.corpus.CorpusAccumulator;
import headwise.engine.corpus.CorpusAnalysis;
import headwise.engine.corpus.ExecutorModels;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.load.LoadedModel;
import org.apache.spark.TaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The Spark task: the executor's model (loaded once per JVM, run with the driver's forward options), the engine's
 * per-prompt step for every prompt of the partition, and one accumulator out. The partition's result leaves only
 * when the whole partition is done, so a retried task neither loses nor doubles prompts.
 */
final class AnalysePartition extends AbstractFunction1<Iterator<PromptTask>, CorpusAccumulator> implements Serializable {

    /** Prompts run together in padded batches (BatchAnalyzer); a cancel is seen between two batches. */
    private static final int BATCH = 16;

    private final String model;
    private final int threads;
    private final ExecutorOptions options;
    private final CorpusJob.InjectedFailure failure;

    AnalysePartition(String model, int threads, ExecutorOptions options, CorpusJob.InjectedFailure failure) {
        this.model = model;
        this.threads = threads;
        this.options = options;
        this.failure = failure;
    }

    @Override
    public CorpusAccumulator apply(Iterator<PromptTask> prompts) {
        TaskContext task = TaskContext.get();
        LoadedModel loaded = ExecutorModels.get(model, threads, options.options());
        CorpusAccumulator partition = new CorpusAccumulator();
        List<PromptTask> batch = new ArrayList<>();
        while (prompts.hasNext()) {
            batch.add(prompts.next());
            if (batch.size() == BATCH || !prompts.hasNext()) {
                task.killTaskIfInterrupted(); // a cancelled job stops between batches
                CorpusAnalysis.addPrompts(loaded, batch.stream().mapToInt(PromptTask::index).toArray(),
                        batch.stream().map(PromptTask::ids).toArray(int[][]::new), partition);
                batch.clear();
            }
        }
        if (task.partitionId() == failure.partition() && task.attemptNumber() < failure.attempts()) {
            throw new IllegalStateException("injected failure of partition " + failure.partition() + ", attempt "
                    + (task.attemptNumber() + 1));
        }
        return partition;
    }
}
