package headwise.app.cli;

import headwise.app.ForwardOptionsProperties;
import headwise.app.corpus.CorpusCancel;
import headwise.app.corpus.CorpusJob;
import headwise.app.corpus.CorpusPipeline;
import headwise.engine.model.ForwardOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code corpus}: per-head statistics and the head atlas over a file of prompts, on Spark (docs/corpus.md). */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = "Run a model on every prompt of a file (on Spark, embedded unless --master) and write head_stats.json, "
                + "layer_stats.json, per_prompt.jsonl and atlas.json.")
final class CorpusCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common; // --model (every Spark node must have it at the same path), --debug

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Prompts: .jsonl ({\"text\"} or {\"ids\"}, optional id, label, split), .csv with a text column, "
                    + "or plain text, one prompt a line.")
    Path data;

    @Option(names = "--out", required = true, description = "Output folder (created if missing).")
    Path out;

    @Mixin
    SparkOptions spark; // --master, --partitions, --threads, --conf

    @Option(names = "--skip-bad", description = "Count and skip bad prompts instead of stopping at the first.")
    boolean skipBad;

    /** Tests of Spark's retry and of resuming: the first attempts of a partition fail. */
    CorpusJob.InjectedFailure failure = CorpusJob.InjectedFailure.NONE;

    @Override
    public Integer call() {
        PrintWriter err = command.commandLine().getErr();
        ForwardOptions options = ForwardOptionsProperties.read(); // the -D switches, for the executors too
        CorpusPipeline.Request request = new CorpusPipeline.Request(common.model, data, out, spark.master, spark.partitions, spark.threads,
                spark.conf, skipBad, options, failure);
        CorpusPipeline.Outcome done = CorpusPipeline.run(request, p -> err.println(p.line()), new CorpusCancel());
        if (!done.skippedLines().isEmpty()) {
            err.println("skipped " + done.skippedLines().size() + " bad prompts; the first: " + done.skippedLines().get(0));
        }
        PrintWriter stdout = command.commandLine().getOut();
        if (done.resumed() > 0) {
            stdout.printf("resumed %d of %d prompts from the partitions an earlier run finished%n", done.resumed(), done.prompts());
        }
        stdout.printf("%s: %d prompts (%d skipped), %d layers x %d heads, %.1f s -> %s%n", done.modelName(), done.prompts(),
                done.skippedLines().size(), done.layers(), done.heads(), done.seconds(), out);
        return 0;
    }
}
