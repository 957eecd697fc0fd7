package headwise.app.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `analyze --metrics` on one checkpoint of each newer family: the contract files match the PyTorch reference, and
 * the metrics (which re-run parts of the forward: logit lens, contributions) complete; Gemma-2, whose attention output
 * is normed, has no contribution graph rather than a wrong one.
 */
class FamilyCliTest {

    @ParameterizedTest
    @ValueSource(strings = {"pythia_f32", "gemma2_f32", "gemma3_f32", "qwen3_f32", "phi3_f32", "opt_postln_f32"})
    void analyzeWritesTheContractFiles(String fixture, @TempDir Path out) throws Exception {
        int[] ids = Fixtures.inputIds(fixture);
        String csv = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        CliTestSupport.Run run = CliTestSupport.run("analyze", "--model", Fixtures.model(fixture).toString(),
                "--ids", csv, "--out", out.toString(), "--metrics");
        assertEquals(0, run.exitCode(), run.err());

        Npy.FloatArray attention = Npy.read(out.resolve("attention.npy"));
        Npy.FloatArray expected = Fixtures.reference(fixture, "attention.npy");
        assertArrayEquals(expected.shape(), attention.shape());
        assertArrayEquals(expected.values(), attention.values(), 1e-5f);
        Npy.FloatArray output = Npy.read(out.resolve("output.npy"));
        assertArrayEquals(Fixtures.reference(fixture, "output.npy").values(), output.values(), 1e-5f);

        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        assertTrue(metrics.has("entropy"), fixture);
        assertEquals(!fixture.startsWith("gemma"), metrics.has("contribution_graph"), fixture);
        assertTrue(metrics.has("logit_lens"), fixture);
    }
}
