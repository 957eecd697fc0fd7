package headwise.app.cli;

import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad probing data: one line each ("error: FILE: problem"), exit 2, naming the row where there is one. */
class ProbeBadInputTest {

    @TempDir
    Path dir;

    @Test
    void oneClassOnly() throws IOException {
        assertError(jsonl(25, i -> "a", null), "every example has the label 'a'");
    }

    @Test
    void missingLabel() throws IOException {
        Path file = write("data.jsonl", "{\"ids\": [1, 2], \"label\": \"a\"}\n{\"ids\": [1, 3]}\n");
        assertError(file, "row 2 has no label");
    }

    @Test
    void tooFewPerClassInASplit() throws IOException {
        // 20 per class: the seeded split leaves 8 per class for testing
        assertError(jsonl(40, i -> i % 2 == 0 ? "a" : "b", null), "has 8 examples in the test split; a probe needs at least 10");
    }

    @Test
    void tooFewPerClassInTheFilesSplit() throws IOException {
        assertError(jsonl(60, i -> i % 2 == 0 ? "a" : "b", i -> i < 45 ? "train" : "test"), "in the test split");
    }

    @Test
    void textsLongerThanTheModel() throws IOException {
        // probe_gpt2 has 4 positions
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            rows.append("{\"ids\": [1, 2").append(i == 33 ? ", 3, 4, 5" : "").append("], \"label\": \"").append(i % 2).append("\"}\n");
        }
        assertError(write("long.jsonl", rows.toString()), "row 34: input is 5 tokens, longer than the model's 4 positions");
    }

    @Test
    void malformedRows() throws IOException {
        assertError(write("a.jsonl", "{\"ids\": [1, 2], \"label\": \"a\"}\nnot json\n"), "row 2 is not valid JSON");
        assertError(write("b.jsonl", "{\"ids\": [1, 2.5], \"label\": \"a\"}\n"), "row 1: ids[1] = 2.5 is not an integer token id");
        assertError(write("c.jsonl", "{\"label\": \"a\"}\n"), "row 1 has neither text nor ids");
        assertError(write("d.jsonl", "{\"ids\": [1], \"label\": \"a\", \"split\": \"dev\"}\n"), "split 'dev' is neither train nor test");
        assertError(write("e.csv", "ids,label\n\"1 2\",a,extra\n"), "row 1 has 3 fields, the header 2");
        assertError(write("f.csv", "tokens,label\n1,a\n"), "the header must name a 'label' column and a 'text' or 'ids' column");
        assertError(write("g.txt", "x"), "unknown data format");
        assertError(write("h.jsonl", "{\"ids\": [1, 2], \"label\": \"a\", \"split\": \"train\"}\n{\"ids\": [1], \"label\": \"b\"}\n"),
                "row 2 has no split, but other rows have one");
        assertError(write("i.jsonl", "\n\n"), "no examples");
    }

    @Test
    void badOptions() throws IOException {
        Path file = jsonl(60, i -> i % 2 == 0 ? "a" : "b", null);
        assertOneLine(run(file, "--site", "hook_q"), "unknown probe site 'hook_q'");
        assertOneLine(run(file, "--position", "first"), "unknown position 'first'");
        assertOneLine(run(dir.resolve("missing.jsonl")), "missing.jsonl");
        assertOneLine(run(file, "--figure", "gif"), "--figure: unknown figure format 'gif'");
        assertOneLine(run(file, "--noise", "-1"), "--noise: the noise's standard deviation must be 0 or more");
        assertOneLine(run(file, "--queries", "0"), "--queries: the attentive probe needs 1 query or more");
        assertOneLine(run(file, "--low-precision", "F8"), "--low-precision: unknown precision 'F8'");
        assertOneLine(run(file, "--low-precision", "Q8_0"), "--low-precision Q8_0: give the model's Q8_0 GGUF file with --compare-model");
        assertOneLine(run(file, "--compare-model", Fixtures.model("gpt2_f32").toString()), "not a copy of probe_gpt2");
        assertOneLine(run(file, "--attentive", "--attention-example", "60"), "--attention-example: example 60 does not exist");
    }

    private void assertError(Path file, String problem) {
        CliTestSupport.Run run = run(file);
        assertOneLine(run, problem);
        assertTrue(run.err().contains(file.getFileName().toString()), "names the file: " + run.err());
    }

    private static void assertOneLine(CliTestSupport.Run run, String problem) {
        assertEquals(Cli.USER_ERROR, run.exitCode(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("error: ") && run.err().contains(problem), run.err());
    }

    private CliTestSupport.Run run(Path file, String... extra) {
        String[] args = {"probe", "--model", ProbeCommandTest.MODEL.toString(), "--data", file.toString(), "--out", dir.resolve("out").toString()};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliTestSupport.run(all);
    }

    private Path jsonl(int rows, java.util.function.IntFunction<String> label, java.util.function.IntFunction<String> split) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            text.append("{\"ids\": [").append(i % 12).append(", ").append((i / 12) % 12).append("], \"label\": \"").append(label.apply(i)).append('"');
            if (split != null) {
                text.append(", \"split\": \"").append(split.apply(i)).append('"');
            }
            text.append("}\n");
        }
        return write("data.jsonl", text.toString());
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
