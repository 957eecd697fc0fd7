package headwise.app.cli;

import headwise.app.corpus.CorpusJob;
import headwise.app.corpus.CorpusPipeline;
import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code corpus} in Spark's local mode on the gpt2_f32 fixture, against the NumPy reference of corpus_reference.py. */
class CorpusCommandTest {

    @TempDir
    Path temp;

    @Test
    void localModeMatchesTheNumPyReference() throws IOException {
        Path out = temp.resolve("out");
        CliTestSupport.Run run = CliTestSupport.run(CorpusOutputs.args(out));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("12 prompts (0 skipped), 3 layers x 4 heads"), run.out());
        assertTrue(run.err().contains("corpus: 12/12 prompts"), "progress line: " + run.err());
        CorpusOutputs.assertMatchesReference(out);
        try (var left = Files.list(out)) {
            assertEquals(5, left.count(), "only the four result files and run.json stay (no partial files, no Spark scratch, "
                    + "no saved partitions)");
        }
    }

    @Test
    void aFailedTaskIsRetriedWithNothingLostOrDoubled() throws IOException {
        Path out = temp.resolve("out");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        var cli = Cli.commandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        ((CorpusCommand) cli.getSubcommands().get("corpus").getCommand()).failure = new CorpusJob.InjectedFailure(1, 1);
        int code = cli.execute(CorpusOutputs.args(out));
        assertEquals(0, code, stderr.toString());
        assertTrue(stderr.toString().contains("corpus: the task of partition 1 failed (attempt 1): java.lang.IllegalStateException: injected failure of partition 1"), "the failure happened: " + stderr);
        CorpusOutputs.assertMatchesReference(out);
    }

    @Test
    void aRerunResumesFromTheFinishedPartitionsWithTheSameNumbers() throws IOException {
        Path out = temp.resolve("out");
        // partition 3 of 4 fails on every attempt: the job fails, the partitions that finished stay saved
        String[] args = CorpusOutputs.args(out);
        args[args.length - 1] = "4";
        StringWriter stderr = new StringWriter();
        var cli = Cli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(stderr, true));
        ((CorpusCommand) cli.getSubcommands().get("corpus").getCommand()).failure = new CorpusJob.InjectedFailure(3, Integer.MAX_VALUE);
        assertEquals(Cli.USER_ERROR, cli.execute(args), stderr.toString());
        assertTrue(stderr.toString().contains("the Spark job failed"), stderr.toString());
        Path saved = out.resolve(CorpusPipeline.PARTITIONS);
        long finished;
        try (var parts = Files.list(saved)) {
            finished = parts.filter(p -> p.getFileName().toString().startsWith("part-")).count();
        }
        assertTrue(finished >= 1 && finished <= 3, "some partitions finished before the failure: " + finished);
        assertFalse(Files.exists(out.resolve("head_stats.json")), "a failed run writes no results");

        // the same arguments: only the missing partitions run, and the numbers are the reference's
        CliTestSupport.Run again = CliTestSupport.run(args);
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("resumed " + 3 * finished + " of 12 prompts"), again.out());
        assertTrue(again.err().contains("corpus: " + 3 * finished + "/12 prompts"), "progress starts at the resumed prompts: " + again.err());
        CorpusOutputs.assertMatchesReference(out);
        assertFalse(Files.exists(saved), "the saved partitions are dropped once the results are written");
        String[] clean = CorpusOutputs.args(temp.resolve("clean"));
        clean[clean.length - 1] = "4";
        assertEquals(0, CliTestSupport.run(clean).exitCode());
        CorpusOutputs.assertSameRun(temp.resolve("clean"), out, 0.0); // the same sums in the same order: identical

        // a changed argument (another partitioning) starts over: nothing resumed
        Path out2 = temp.resolve("out2");
        String[] first = CorpusOutputs.args(out2);
        first[first.length - 1] = "4";
        var failing = Cli.commandLine();
        failing.setErr(new PrintWriter(new StringWriter(), true));
        ((CorpusCommand) failing.getSubcommands().get("corpus").getCommand()).failure = new CorpusJob.InjectedFailure(3, Integer.MAX_VALUE);
        failing.execute(first);
        CliTestSupport.Run changed = CliTestSupport.run(CorpusOutputs.args(out2)); // 3 partitions
        assertEquals(0, changed.exitCode(), changed.err());
        assertFalse(changed.out().contains("resumed"), changed.out());
        CorpusOutputs.assertMatchesReference(out2);
    }

    @Test
    void withoutTheOpenedPackagesTheStartIsRefusedInOneLine() throws Exception {
        // a JVM without the --add-opens that the jar's manifest and Surefire's argLine give
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "headwise.app.Main", "corpus", "--model",
                Fixtures.model("gpt2_f32").toString(), "--data", CorpusOutputs.PROMPTS.toString(), "--out", temp.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(Cli.USER_ERROR, p.waitFor());
        assertEquals("error: Spark needs java.base/sun.nio.ch opened: run 'java -jar target/headwise.jar corpus …' "
                + "(its manifest opens what Spark needs) or add the --add-opens flags of docs/corpus.md to 'java -cp'", output);
    }

    @Test
    void anEmptyFileIsOneLine() throws IOException {
        Path data = Files.writeString(temp.resolve("empty.jsonl"), "");
        assertOneLine(corpus(data), "empty.jsonl: no prompts in the file (it is empty)");
    }

    @Test
    void aLineThatIsNotJsonNamesFileAndLine() throws IOException {
        Path data = Files.writeString(temp.resolve("bad.jsonl"), "{\"ids\": [1, 2, 3]}\n{\"ids\": [1, 2\n");
        assertOneLine(corpus(data), "bad.jsonl:2: not a JSON object");
    }

    @Test
    void textWithoutATokenizerNamesFileAndLine() throws IOException {
        Path data = Files.writeString(temp.resolve("text.jsonl"), "{\"ids\": [1, 2, 3]}\n\n{\"text\": \"hello\"}\n");
        assertOneLine(corpus(data), "text.jsonl:3: text needs a tokenizer and gpt2_f32 has none");
    }

    @Test
    void aPromptOverTheModelsLengthNamesFileAndLine() throws IOException {
        Path data = Files.writeString(temp.resolve("long.txt"), "x\n");
        Path ids = Files.writeString(temp.resolve("long.jsonl"), "{\"ids\": [1, 2]}\n{\"ids\": " + java.util.Arrays.toString(new int[33]) + "}\n");
        assertOneLine(corpus(ids), "long.jsonl:2: input is 33 tokens, longer than the model's 32 positions");
        assertOneLine(corpus(data), "long.txt:1: text needs a tokenizer");
    }

    @Test
    void skipBadCountsAndSkipsBadLines() throws IOException {
        String good = Files.readString(CorpusOutputs.PROMPTS);
        Path data = Files.writeString(temp.resolve("mixed.jsonl"), "not json\n" + good + "{\"text\": \"hi\"}\n{\"ids\": []}\n");
        Path out = temp.resolve("out");
        String[] args = CorpusOutputs.args(out, "--skip-bad");
        args[4] = data.toString();
        CliTestSupport.Run run = CliTestSupport.run(args);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("skipped 3 bad prompts; the first: " + data + ":1: not a JSON object"), run.err());
        assertTrue(run.out().contains("12 prompts (3 skipped)"), run.out());
        assertEquals(3, CorpusOutputs.read(out.resolve("head_stats.json")).get("skipped").getAsInt());
        CorpusOutputs.assertMatchesReference(out);
    }

    private CliTestSupport.Run corpus(Path data) {
        return CliTestSupport.run("corpus", "--model", Fixtures.model("gpt2_f32").toString(), "--data", data.toString(),
                "--out", temp.resolve("out").toString());
    }

    private static void assertOneLine(CliTestSupport.Run run, String expected) {
        assertEquals(Cli.USER_ERROR, run.exitCode(), run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("error: ") && err.contains(expected), err);
    }
}
