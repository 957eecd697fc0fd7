package headwise.app.corpus;

import headwise.engine.HeadwiseException;
import headwise.engine.corpus.CorpusAccumulator;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the per-prompt step of a corpus on Spark: embedded (local mode) by default, or on the cluster at
 * {@code master}. A thin adapter: the prompts are cut into partitions, each task runs {@link AnalysePartition}, and
 * the driver merges the partitions' accumulators. No analysis happens here.
 */
public final class CorpusJob {

    /**
     * @param model             the model as the executors load it (a folder or file every node has, or a bundled name)
     * @param master            a Spark master URL, or null for local mode on this machine's cores
     * @param partitions        how many tasks the prompts are cut into (0: twice the task slots)
     * @param threads           native threads each task wants; spark.task.cpus is this, at most the executor's cores
     * @param workDir           Spark's scratch space (spark.local.dir); removed by Spark when the job ends
     * @param conf              further Spark settings (--conf KEY=VALUE)
     * @param failPartitionOnce a partition whose first attempt fails (tests), or −1
     */
    public record Settings(String model, String master, int partitions, int threads, Path workDir, Map<String, String> conf,
                           int failPartitionOnce) {
    }

    private CorpusJob() {
    }

    /** @param prompts checked token ids, in corpus order; the result's prompt indices refer to this list */
    public static CorpusAccumulator run(Settings settings, List<int[]> prompts, Consumer<String> progress) {
        requireOpenedPackages();
        SparkConf conf = sparkConf(settings);
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        List<PromptTask> tasks = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            tasks.add(new PromptTask(i, prompts.get(i)));
        }
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            int partitions = settings.partitions() > 0 ? settings.partitions()
                    : Math.max(1, 2 * spark.defaultParallelism() / taskCpus);
            partitions = Math.min(partitions, prompts.size());
            spark.sc().addSparkListener(new SparkProgress(SparkProgress.sliceSizes(prompts.size(), partitions), progress));
            JavaRDD<CorpusAccumulator> parts = spark.parallelize(tasks, partitions)
                    .mapPartitions(new AnalysePartition(settings.model(), taskCpus, settings.failPartitionOnce()));
            CorpusAccumulator all = new CorpusAccumulator();
            for (CorpusAccumulator part : parts.collect()) {
                all.merge(part);
            }
            return all;
        } catch (Exception e) { // Scala throws SparkException undeclared
            throw userError(e);
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
        int executorCores = local ? cores : conf.getInt("spark.executor.cores", Integer.MAX_VALUE);
        if (!s.conf().containsKey("spark.task.cpus")) {
            conf.set("spark.task.cpus", Integer.toString(Math.max(1, Math.min(s.threads(), executorCores))));
        }
        return conf;
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
    private static RuntimeException userError(Exception e) {
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
