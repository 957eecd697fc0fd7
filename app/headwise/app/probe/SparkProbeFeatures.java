package headwise.app.probe;

import headwise.app.corpus.CorpusCancel;
import headwise.app.corpus.CorpusProgress;
import headwise.app.corpus.PromptTask;
import headwise.app.corpus.SparkJob;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.probe.LayerProbing;
import headwise.engine.analysis.probe.ProbeExample;
import headwise.engine.analysis.probe.ProbeFeatures;
import headwise.engine.analysis.probe.ProbeSettings;
import headwise.engine.analysis.probe.ProbeSite;
import headwise.engine.corpus.ExecutorModels;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The probes' feature extraction as a Spark job (the corpus job's set-up, {@link SparkJob}): the driver tokenizes and
 * checks every example, budgets the features it will hold, cuts the examples into partitions; each task
 * ({@link ExtractPartition}) extracts its examples' features on its executor's model; the driver puts the rows back
 * in example order. The probes then train on the driver as in-process.
 */
public final class SparkProbeFeatures implements LayerProbing.Extractor {

    /** Above this many examples, {@code probe} extracts on Spark unless told not to (--no-spark). */
    public static final int AUTO_EXAMPLES = 2_000;

    private final String executorModel;
    private final SparkJob.Cluster cluster;
    private final ExecutorOptions options;
    private final Consumer<CorpusProgress> lines;
    private final CorpusCancel cancel;

    /**
     * @param executorModel the model as every executor loads it (the same path on every node)
     * @param options       the driver's forward options, for the executors' forward
     * @param lines         progress of the job (examples done per finished partition)
     */
    public SparkProbeFeatures(String executorModel, SparkJob.Cluster cluster, ExecutorOptions options, Consumer<CorpusProgress> lines,
                              CorpusCancel cancel) {
        this.executorModel = executorModel;
        this.cluster = cluster;
        this.options = options;
        this.lines = lines;
        this.cancel = cancel;
    }

    @Override
    public ProbeFeatures extract(LoadedModel model, Path file, List<ProbeExample> examples, ProbeSettings settings,
                                 IntConsumer progress) {
        ModelSpec spec = model.spec();
        if (spec.vision() != null) {
            throw new HeadwiseException(file + ": " + model.name() + " is a vision model; probing takes text or token ids");
        }
        int n = examples.size();
        int[][] ids = new int[n][];
        List<PromptTask> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) { // checked here, before any task starts, with the file's row in the message
            ProbeExample example = examples.get(i);
            ids[i] = example.ids() != null ? example.ids() : model.tokenizer().encode(example.text()).ids();
            new ModelInput(ids[i], new String[ids[i].length], null, null).validate(spec, file + " row " + example.row());
            records.add(new PromptTask(i, ids[i]));
        }
        MemoryBudget.checkHeap(driverBytes(spec, settings, ids, cluster.partitions()),
                "probe on Spark: the features of " + n + " examples on the driver");
        int layerCount = spec.layers();
        boolean ownHeads = settings.headMap() && settings.site() != ProbeSite.Z;
        float[][] embedding = new float[n][];
        float[][][] layers = new float[layerCount][n][];
        float[][][] z = ownHeads ? new float[layerCount][n][] : null;
        float[][][] tokens = settings.attentiveQueries() > 0 ? new float[layerCount + 1][n][] : null;
        int[] threads = ExecutorModels.nativeThreads(); // local tasks set this JVM's; the variants after run with its own
        try {
            SparkJob.run("probe", cluster, records,
                    taskCpus -> new ExtractPartition(executorModel, taskCpus, options, file.toString(), settings),
                    new SparkJob.Results<FeatureRows>() {
                        @Override
                        public Set<Integer> finishedBefore(int partitions) {
                            return Set.of();
                        }

                        @Override
                        public void accept(int partition, FeatureRows rows) { // distinct examples per partition: no lock needed
                            for (int k = 0; k < rows.examples().length; k++) {
                                int i = rows.examples()[k];
                                embedding[i] = rows.embedding()[k];
                                for (int l = 0; l < layerCount; l++) {
                                    layers[l][i] = rows.layers()[l][k];
                                    if (z != null) {
                                        z[l][i] = rows.z()[l][k];
                                    }
                                }
                                for (int l = 0; tokens != null && l <= layerCount; l++) {
                                    tokens[l][i] = rows.tokens()[l][k];
                                }
                            }
                        }
                    }, p -> {
                        progress.accept((int) p.done());
                        lines.accept(p);
                    }, cancel);
        } finally {
            ExecutorModels.restoreNativeThreads(threads);
        }
        return new ProbeFeatures(embedding, layers, ownHeads ? z : settings.headMap() ? layers : null, spec.heads(), spec.dHead(),
                tokens, ids);
    }

    /**
     * What the driver holds: every example's pooled features (embedding and L blocks at the site, the L·H head
     * outputs with the head map, every token's state with attentive probes; float32), and on top, while it arrives,
     * one partition's serialized result (all of them / partitions; 2 partitions assumed when Spark chooses).
     */
    public static long driverBytes(ModelSpec spec, ProbeSettings settings, int[][] ids, int partitions) {
        long width = settings.site() == ProbeSite.Z ? (long) spec.heads() * spec.dHead() : spec.dModel();
        long perExample = (spec.layers() + 1L) * width
                + (settings.headMap() && settings.site() != ProbeSite.Z ? (long) spec.layers() * spec.heads() * spec.dHead() : 0);
        long floats = perExample * ids.length;
        if (settings.attentiveQueries() > 0) {
            for (int[] example : ids) {
                floats += example.length * (spec.layers() + 1L) * width;
            }
        }
        long bytes = floats * Float.BYTES;
        return bytes + bytes / Math.max(2, partitions);
    }
}
