package headwise.app.probe;

import headwise.app.corpus.PromptTask;
import headwise.engine.analysis.probe.ProbeExample;
import headwise.engine.analysis.probe.ProbeFeatures;
import headwise.engine.analysis.probe.ProbeSettings;
import headwise.engine.analysis.probe.ProbeSite;
import headwise.engine.corpus.ExecutorModels;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.load.LoadedModel;
import org.apache.spark.TaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Spark task of a probe run: the executor's model (loaded once per JVM, run with the driver's forward options)
 * extracts the features of the partition's examples (the engine's own {@link ProbeFeatures#extract}), which go back
 * to the driver whole, when the partition is done.
 */
final class ExtractPartition extends AbstractFunction1<Iterator<PromptTask>, FeatureRows> implements Serializable {

    private final String model;
    private final int threads;
    private final ExecutorOptions options;
    private final String file;
    private final ProbeSettings settings;

    ExtractPartition(String model, int threads, ExecutorOptions options, String file, ProbeSettings settings) {
        this.model = model;
        this.threads = threads;
        this.options = options;
        this.file = file;
        this.settings = settings;
    }

    @Override
    public FeatureRows apply(Iterator<PromptTask> records) {
        TaskContext.get().killTaskIfInterrupted();
        LoadedModel loaded = ExecutorModels.get(model, threads, options.options());
        List<Integer> indices = new ArrayList<>();
        List<ProbeExample> examples = new ArrayList<>();
        while (records.hasNext()) {
            PromptTask record = records.next();
            indices.add(record.index());
            // the ids were tokenized and checked on the driver; label and split stay there
            examples.add(new ProbeExample(record.index() + 1, null, record.ids(), null, null));
        }
        ProbeFeatures features = ProbeFeatures.extract(loaded, Path.of(file), examples, settings, done -> {
        });
        boolean ownHeads = settings.headMap() && settings.site() != ProbeSite.Z;
        return new FeatureRows(indices.stream().mapToInt(Integer::intValue).toArray(), features.embedding(), features.layers(),
                ownHeads ? features.z() : null, features.tokens());
    }
}
