package headwise.app.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** The Spark options of the commands that run on Spark (corpus, probe): where, in how many tasks, how many threads each. */
final class SparkOptions {

    @Option(names = "--master", description = "Spark master URL (default: embedded, local mode on this machine's cores).")
    String master;

    @Option(names = "--partitions", defaultValue = "0", description = "Spark tasks to cut the records into (default: twice the task slots).")
    int partitions;

    @Option(names = "--threads", defaultValue = "1",
            description = "Native threads per task (spark.task.cpus, at most an executor's cores); default ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();
}
