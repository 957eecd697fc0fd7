package headwise.app.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Spark standalone master and two one-core workers on 127.0.0.1, started from the jars on the test class path (no
 * Spark distribution), run the same corpus job through --master spark://127.0.0.1:PORT: the numbers are those of
 * local mode and of the NumPy reference; the probes' features extracted there give the in-process probe.json. About 20 s: the master, two workers and two executor JVMs start.
 */
class StandaloneClusterTest {

    private static final long START_TIMEOUT_MS = 90_000;

    @TempDir
    Path temp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopCluster() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aStandaloneClusterGivesTheNumbersOfLocalMode() throws Exception {
        // the worker launches executors from SPARK_HOME/jars; the job's executor class path brings the rest
        Path sparkHome = Files.createDirectories(temp.resolve("spark-home").resolve("jars")).getParent();
        int masterPort = freePort();
        int masterUi = freePort();
        Path masterLog = temp.resolve("master.log");
        start(masterLog, sparkHome, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(masterUi));
        String master = "spark://127.0.0.1:" + masterPort;
        for (int w = 0; w < 2; w++) {
            Path log = temp.resolve("worker" + w + ".log");
            start(log, sparkHome, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()),
                    "--cores", "1", "--memory", "1g", "--work-dir", temp.resolve("work" + w).toString(), master);
        }
        waitForWorkers(masterUi, 2, masterLog);

        Path clusterOut = temp.resolve("cluster");
        CliTestSupport.Run run = CliTestSupport.run(CorpusOutputs.args(clusterOut, "--master", master));
        assertEquals(0, run.exitCode(), run.err() + "\nmaster log:\n" + Files.readString(masterLog));
        assertTrue(run.err().contains("corpus: 12/12 prompts"), run.err());
        CorpusOutputs.assertMatchesReference(clusterOut);

        Path localOut = temp.resolve("local");
        assertEquals(0, CliTestSupport.run(CorpusOutputs.args(localOut)).exitCode());
        CorpusOutputs.assertSameRun(localOut, clusterOut, 1e-12);
        // both workers ran executors of the job, each with ND4J's native libraries in a JavaCPP cache of its own
        for (int w = 0; w < 2; w++) {
            try (var apps = Files.list(temp.resolve("work" + w))) {
                assertEquals(1, apps.count(), "worker " + w + " ran an executor");
            }
            try (var files = Files.walk(temp.resolve("work" + w))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("libnd4jcpu")
                        && f.toString().contains("/javacpp-cache/")), "worker " + w + "'s executor extracted ND4J into its work folder");
            }
        }

        // the driver's forward options reach the executors: attention stored as float16 gives the numbers of a local
        // float16 run, not those of float32
        System.setProperty("headwise.attention", "f16");
        try {
            Path clusterF16 = temp.resolve("cluster-f16");
            CliTestSupport.Run f16 = CliTestSupport.run(CorpusOutputs.args(clusterF16, "--master", master));
            assertEquals(0, f16.exitCode(), f16.err());
            Path localF16 = temp.resolve("local-f16");
            assertEquals(0, CliTestSupport.run(CorpusOutputs.args(localF16)).exitCode());
            CorpusOutputs.assertSameRun(localF16, clusterF16, 1e-12);
            assertThrows(AssertionError.class, () -> CorpusOutputs.assertSameRun(clusterOut, clusterF16, 1e-9),
                    "float16 attention changes the statistics");
        } finally {
            System.clearProperty("headwise.attention");
        }

        // the probes' feature extraction on the same cluster gives the probe.json of the in-process extraction
        Path late = ProbeCommandTest.DATA.resolve("late.jsonl");
        String[] probe = {"probe", "--model", ProbeCommandTest.MODEL.toString(), "--data", late.toString(), "--out", ""};
        probe[probe.length - 1] = temp.resolve("probe-here").toString();
        CliTestSupport.Run here = CliTestSupport.run(probe);
        assertEquals(0, here.exitCode(), here.err());
        probe[probe.length - 1] = temp.resolve("probe-cluster").toString();
        List<String> onCluster = new ArrayList<>(List.of(probe));
        onCluster.addAll(List.of("--spark", "--master", master, "--partitions", "4"));
        CliTestSupport.Run cluster = CliTestSupport.run(onCluster.toArray(String[]::new));
        assertEquals(0, cluster.exitCode(), cluster.err());
        assertTrue(cluster.out().contains(" on Spark, probes"), cluster.out());
        ProbeSparkTest.assertSameJson(JsonParser.parseString(Files.readString(temp.resolve("probe-here").resolve("probe.json"))),
                JsonParser.parseString(Files.readString(temp.resolve("probe-cluster").resolve("probe.json"))), 1e-6, "probe.json");
    }

    private void start(Path log, Path sparkHome, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOG_DIR", sparkHome.toString());
        started.add(builder.start());
    }

    /** Polls the master's status page (its web UI's /json) until {@code count} workers are alive. */
    private void waitForWorkers(int masterUi, int count, Path masterLog) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (Process p : started) {
                if (!p.isAlive()) {
                    fail("a Spark process ended (exit " + p.exitValue() + "); logs in " + temp + "\n" + Files.readString(masterLog));
                }
            }
            try {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + masterUi + "/json/").openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                try (var in = c.getInputStream()) {
                    JsonObject status = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
                    if (status.has("aliveworkers") && status.get("aliveworkers").getAsInt() >= count) {
                        return;
                    }
                }
            } catch (IOException notYet) {
                // the master is still starting
            }
            Thread.sleep(250);
        }
        fail(count + " workers did not register in " + START_TIMEOUT_MS / 1000 + " s\n" + Files.readString(masterLog));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
