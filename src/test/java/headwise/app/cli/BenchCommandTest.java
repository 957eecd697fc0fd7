package headwise.app.cli;

import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench` times forwards and prints what the benchmark script reads; the figures themselves are not tested. */
class BenchCommandTest {

    @Test
    void printsEachForwardWithTheSgemmRateAfterItAndTheSummaryLines() {
        CliTestSupport.Run run = CliTestSupport.run("bench", "--model", Fixtures.model("gpt2_f32").toString(),
                "--tokens", "16", "--repeat", "3");
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        for (int r = 1; r <= 3; r++) {
            assertTrue(Pattern.compile("(?m)^forward " + r + ": [0-9.]+ ms \\(sgemm [0-9.]+ GFLOP/s just after\\)$").matcher(out).find(), out);
        }
        Matcher summary = Pattern.compile("(?m)^forward_gflops=([0-9.]+) sgemm_gflops=([0-9.]+) utilisation=([0-9]+)%$").matcher(out);
        assertTrue(summary.find(), out);
        assertTrue(Double.parseDouble(summary.group(2)) > 0, "an SGEMM rate was measured");
        assertTrue(Pattern.compile("(?m)^forward_ms=[0-9.]+$").matcher(out).find(), out);
        assertTrue(out.contains("tokens=16") && out.contains("attention=F32"), out);
        assertTrue(Pattern.compile("(?m)^blas=OpenBLAS .*, core \\w+ \\(/.*\\)$").matcher(out).find(), "names the BLAS in use: " + out);
    }

    @Test
    void theAttentionSwitchIsReadWhereTheCommandStarts() {
        System.setProperty("headwise.attention", "f16");
        try {
            CliTestSupport.Run run = CliTestSupport.run("bench", "--model", Fixtures.model("gpt2_f32").toString(),
                    "--tokens", "8", "--repeat", "1");
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains("attention=F16"), run.out());
            System.setProperty("headwise.attention", "f8");
            CliTestSupport.Run refused = CliTestSupport.run("bench", "--model", Fixtures.model("gpt2_f32").toString());
            assertEquals("error: -Dheadwise.attention=f8: expected auto, f32, f16 or recompute", refused.err().strip());
        } finally {
            System.clearProperty("headwise.attention");
        }
    }
}
