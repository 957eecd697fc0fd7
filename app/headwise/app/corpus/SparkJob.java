package headwise.app.corpus;

import headwise.engine.HeadwiseException;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Function1;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The Spark set-up every Headwise job shares (the corpus job, the probes' feature extraction): the context's
 * settings (local mode or a cluster, quiet, loopback, the executors' class path and JavaCPP cache, spark.task.cpus
 * from the task threads), the partitions, one job over the partitions not yet done with a driver-side handler for
 * each result as it arrives, the progress listener, Cancel, and one-line errors. What a task computes is the
 * caller's.
 */
public final class SparkJob {

    /**
     * @param master     a Spark master URL, or null for local mode on this machine's cores
     * @param partitions how many tasks the records are cut into (0: twice the task slots)
     * @param threads    native threads each task wants; spark.task.cpus is this, at most the executor's cores
     * @param workDir    Spark's scratch space (spark.local.dir); removed when the job ends
     * @param conf       further Spark settings (--conf KEY=VALUE)
     */
    public record Cluster(String master, int partitions, int threads, Path workDir, Map<String, String> conf) {
    }

    /** The driver's side of a job: which partitions are done already, and each new partition's result. */
    public interface Results<R> {
        /** Called once the number of partitions is known; the partitions an earlier run finished (skipped now). */
        Set<Integer> finishedBefore(int partitions);

        /** A partition's result, on the driver as it arrives (from Spark's result thread). */
        void accept(int partition, R result);
    }

    static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";
    /** Relative: resolved in the executor's own work folder. */
    static final String EXECUTOR_CACHE_DIR = "javacpp-cache";

    private SparkJob() {
    }

    /**
     * Runs the job {@code name} ("corpus", "probe": the command, in its app name and messages): {@code task} (made
     * for the job's spark.task.cpus) over {@code records} cut into partitions, skipping those {@code results} says are
     * done; progress counts records per finished partition.
     */
    public static <T, R> void run(String name, Cluster cluster, List<T> records,
                                  IntFunction<? extends Function1<Iterator<T>, R>> task, Results<R> results,
                                  Consumer<CorpusProgress> progress, CorpusCancel cancel) {
        requireOpenedPackages(name);
        SparkConf conf = sparkConf("headwise " + name, cluster);
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            cancel.attach(spark);
            int partitions = cluster.partitions() > 0 ? cluster.partitions()
                    : Math.max(1, 2 * spark.defaultParallelism() / taskCpus);
            partitions = Math.min(partitions, records.size());
            Set<Integer> before = results.finishedBefore(partitions);
            boolean[] finished = new boolean[partitions];
            List<Object> todo = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                finished[p] = before.contains(p);
                if (!finished[p]) {
                    todo.add(p);
                }
            }
            SparkProgress listener = new SparkProgress(SparkProgress.sliceSizes(records.size(), partitions), finished, progress, name);
            progress.accept(listener.progress());
            spark.sc().addSparkListener(listener);
            if (!todo.isEmpty()) {
                RDD<T> rdd = spark.parallelize(records, partitions).rdd();
                // a cancel before the job exists is seen by watch, one after it cancels the job itself
                SimpleFutureAction<BoxedUnit> job = spark.sc().submitJob(rdd, task.apply(taskCpus),
                        CollectionConverters.asScala(todo).toList(), new Handler<>(todo, results), new AbstractFunction0<BoxedUnit>() {
                            @Override
                            public BoxedUnit apply() {
                                return BoxedUnit.UNIT;
                            }
                        });
                cancel.watch(job);
                job.get();
            }
        } catch (Exception e) { // Scala throws SparkException undeclared
            throw userError(e, cancel, name);
        } finally {
            cancel.attach(null);
            deleteQuietly(cluster.workDir());
        }
    }

    /** Driver side, as each partition's result arrives. */
    private static final class Handler<R> extends AbstractFunction2<Object, R, BoxedUnit> {
        private final List<Object> partitions;
        private final Results<R> results;

        Handler(List<Object> partitions, Results<R> results) {
            this.partitions = partitions;
            this.results = results;
        }

        @Override
        public BoxedUnit apply(Object index, R result) {
            // the handler numbers results by their place in the job
            results.accept((Integer) partitions.get((Integer) index), result);
            return BoxedUnit.UNIT;
        }
    }

    /**
     * Spark reaches into java.base (first sun.nio.ch); on Java 17 that needs --add-opens, which target/headwise.jar's
     * manifest gives. Without them the context fails deep inside with an IllegalAccessError: say what to do instead.
     */
    public static void requireOpenedPackages(String command) {
        Module javaBase = Object.class.getModule();
        Module spark = SparkConf.class.getModule();
        for (String p : List.of("sun.nio.ch", "java.nio", "java.lang.invoke", "java.util")) {
            if (!javaBase.isOpen(p, spark)) {
                throw new HeadwiseException("Spark needs java.base/" + p + " opened: run 'java -jar target/headwise.jar " + command + " …' "
                        + "(its manifest opens what Spark needs) or add the --add-opens flags of docs/corpus.md to 'java -cp'");
            }
        }
    }

    static SparkConf sparkConf(String appName, Cluster s) {
        boolean local = s.master() == null || s.master().startsWith("local");
        int cores = Runtime.getRuntime().availableProcessors();
        SparkConf conf = new SparkConf()
                .setAppName(appName)
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
    private static RuntimeException userError(Exception e, CorpusCancel cancel, String name) {
        if (cancel.cancelled()) {
            return new CancellationException(name + " run cancelled");
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

    /** Removes a scratch folder and what is in it, as far as it can. */
    public static void deleteQuietly(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Spark removes its own scratch folders; this only tidies what is left
        }
    }
}
