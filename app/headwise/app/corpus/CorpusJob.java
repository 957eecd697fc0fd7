package headwise.app.corpus;

import headwise.engine.HeadwiseException;
import headwise.engine.corpus.CorpusAccumulator;
import headwise.engine.corpus.ExecutorOptions;
import headwise.engine.corpus.PartitionStore;
import org.apache.spark.SparkConf;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * Runs the per-prompt step of a corpus on Spark: embedded (local mode) by default, or on the cluster at
 * {@code master}. A thin adapter: the prompts are cut into partitions, one job runs {@link AnalysePartition} on those
 * not yet saved, and
 * each finished partition's accumulator is saved on the driver as it arrives ({@link PartitionStore}), so a rerun
 * computes only the partitions not yet saved. The driver merges the partitions in partition order (the same sums
 * in the same order, resumed or not). No analysis happens here.
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

    static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";
    /** Relative: resolved in the executor's own work folder. */
    static final String EXECUTOR_CACHE_DIR = "javacpp-cache";

    private CorpusJob() {
    }

    /** @param prompts checked token ids, in corpus order; the result's prompt indices refer to this list */
    public static Result run(Settings settings, List<int[]> prompts, Stores stores, Consumer<CorpusProgress> progress,
                             CorpusCancel cancel) {
        requireOpenedPackages();
        SparkConf conf = sparkConf(settings);
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        List<PromptTask> tasks = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            tasks.add(new PromptTask(i, prompts.get(i)));
        }
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            cancel.attach(spark);
            int partitions = settings.partitions() > 0 ? settings.partitions()
                    : Math.max(1, 2 * spark.defaultParallelism() / taskCpus);
            partitions = Math.min(partitions, prompts.size());
            PartitionStore store = stores.open(partitions);
            Map<Integer, CorpusAccumulator> parts = new TreeMap<>(store.finished());
            boolean[] finished = new boolean[partitions];
            List<Object> todo = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                finished[p] = parts.containsKey(p);
                if (!finished[p]) {
                    todo.add(p);
                }
            }
            SparkProgress listener = new SparkProgress(SparkProgress.sliceSizes(prompts.size(), partitions), finished, progress);
            progress.accept(listener.progress());
            spark.sc().addSparkListener(listener);
            if (!todo.isEmpty()) {
                RDD<PromptTask> rdd = spark.parallelize(tasks, partitions).rdd();
                AnalysePartition analyse = new AnalysePartition(settings.model(), taskCpus, settings.options(), settings.failure());
                // a cancel before the job exists is seen by watch, one after it cancels the job itself
                SimpleFutureAction<BoxedUnit> job = spark.sc().submitJob(rdd, analyse, CollectionConverters.asScala(todo).toList(),
                        new SavePartition(todo, store, parts), new AbstractFunction0<BoxedUnit>() {
                            @Override
                            public BoxedUnit apply() {
                                return BoxedUnit.UNIT;
                            }
                        });
                cancel.watch(job);
                job.get();
            }
            CorpusAccumulator all = new CorpusAccumulator();
            int resumed = 0;
            for (Map.Entry<Integer, CorpusAccumulator> part : parts.entrySet()) {
                all.merge(part.getValue());
                resumed += finished[part.getKey()] ? part.getValue().prompts().size() : 0;
            }
            return new Result(all, resumed);
        } catch (Exception e) { // Scala throws SparkException undeclared
            throw userError(e, cancel);
        } finally {
            cancel.attach(null);
        }
    }

    /** Driver side, as each partition's result arrives: saved at once, kept for the merge. */
    private static final class SavePartition extends AbstractFunction2<Object, CorpusAccumulator, BoxedUnit> {
        private final List<Object> partitions;
        private final PartitionStore store;
        private final Map<Integer, CorpusAccumulator> parts;

        SavePartition(List<Object> partitions, PartitionStore store, Map<Integer, CorpusAccumulator> parts) {
            this.partitions = partitions;
            this.store = store;
            this.parts = parts;
        }

        @Override
        public BoxedUnit apply(Object index, CorpusAccumulator part) {
            int partition = (Integer) partitions.get((Integer) index); // the handler numbers results by their place in the job
            store.save(partition, part);
            synchronized (parts) {
                parts.put(partition, part);
            }
            return BoxedUnit.UNIT;
        }
    }

    /**
     * Spark reaches into java.base (first sun.nio.ch); on Java 17 that needs --add-opens, which target/headwise.jar's
     * manifest gives. Without them the context fails deep inside with an IllegalAccessError: say what to do instead.
     */
    public static void requireOpenedPackages() {
        Module javaBase = Object.class.getModule();
        Module spark = SparkConf.class.getModule();
        for (String p : List.of("sun.nio.ch", "java.nio", "java.lang.invoke", "java.util")) {
            if (!javaBase.isOpen(p, spark)) {
                throw new HeadwiseException("Spark needs java.base/" + p + " opened: run 'java -jar target/headwise.jar corpus …' "
                        + "(its manifest opens what Spark needs) or add the --add-opens flags of docs/corpus.md to 'java -cp'");
            }
        }
    }

    static SparkConf sparkConf(Settings s) {
        boolean local = s.master() == null || s.master().startsWith("local");
        int cores = Runtime.getRuntime().availableProcessors();
        SparkConf conf = new SparkConf()
                .setAppName("headwise corpus")
                // local mode retries a failed task once, as a cluster does (local[N, maxFailures])
                .setMaster(s.master() != null ? s.master() : "local[" + cores + ",2]")
                .set("spark.ui.enabled", "false")
                .set("spark.local.dir", s.workDir().toAbsolutePath().toString())
                // the executors run the same install as the driver: its class path (the jar and lib/*, or Maven's)
                .set("spark.executor.extraClassPath", absoluteClassPath());
        if (local || isLoopback(s.master())) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        s.conf().forEach(conf::set);
        if (!local) {
            conf.set("spark.executor.extraJavaOptions", withJavaCppCache(conf.get("spark.executor.extraJavaOptions", "")));
        }
        int executorCores = local ? cores : conf.getInt("spark.executor.cores", Integer.MAX_VALUE);
        if (!s.conf().containsKey("spark.task.cpus")) {
            conf.set("spark.task.cpus", Integer.toString(Math.max(1, Math.min(s.threads(), executorCores))));
        }
        return conf;
    }

    /**
     * Each executor extracts ND4J's native libraries into a cache of its own, in its work folder (an executor's
     * working directory is that folder, so a relative path), instead of the user's ~/.javacpp/cache, which every
     * executor of the machine shares and JavaCPP locks while extracting (and which may not be writable on a cluster).
     * A cache dir the user set in --conf stays.
     */
    static String withJavaCppCache(String javaOptions) {
        if (javaOptions.contains("-D" + JAVACPP_CACHE + "=")) {
            return javaOptions;
        }
        return (javaOptions + " -D" + JAVACPP_CACHE + "=" + EXECUTOR_CACHE_DIR).strip();
    }

    private static boolean isLoopback(String master) {
        return master.startsWith("spark://127.") || master.startsWith("spark://localhost:");
    }

    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(new File(entry).getAbsolutePath());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** A task's own one-line error (HeadwiseException) when that is what failed it; else Spark's first line. */
    private static RuntimeException userError(Exception e, CorpusCancel cancel) {
        if (cancel.cancelled()) {
            return new CancellationException("corpus run cancelled");
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HeadwiseException h) {
                return h;
            }
        }
        if (!(e instanceof SparkException) && e instanceof RuntimeException r) {
            return r;
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        return new HeadwiseException("the Spark job failed: " + message);
    }
}
