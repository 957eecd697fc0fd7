package headwise.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: cold start of the desktop app, from {@code java} to the first analysed view on screen, on the bundled
 * model with the example sentence. Launches target/headwise.jar (build it with {@code mvn package -DskipTests})
 * with {@code -Dheadwise.exitAfterFirstView=true}, which prints {@code first_view_ms=N} measured from the JVM's
 * start, once untimed (the first-ever run unpacks ND4J's native libraries) and then -Druns=3 times; prints each and
 * the median. Without a display it uses JavaFX's headless Monocle platform (as the UI tests do), added to the jar's
 * class path; {@code -Dmode=display} runs the literal {@code java -jar target/headwise.jar} on $DISPLAY instead.
 * Every run gets a fresh autosave folder, so it starts as a first start does (no restored session).
 * <pre>java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" headwise.bench.ColdStartBench</pre>
 */
public final class ColdStartBench {

    private static final int RUNS = Integer.getInteger("runs", 3);
    private static final int TIMEOUT_S = Integer.getInteger("timeout", 120);

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/headwise.jar");
        if (!Files.isRegularFile(jar)) {
            System.err.println(jar + " not found: build it with mvn package -DskipTests");
            System.exit(2);
        }
        boolean display = "display".equals(System.getProperty("mode"));
        System.out.printf("cpus %d, java %s, %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                display ? "display " + System.getenv("DISPLAY") : "headless Monocle");
        System.out.println("load average before: " + loadAverage());
        System.out.println("warm-up (first run unpacks natives): " + run(jar, display));
        long[] ms = new long[RUNS];
        long[] cpu = new long[RUNS];
        for (int r = 0; r < RUNS; r++) {
            Map<String, Long> m = run(jar, display);
            System.out.println("run " + (r + 1) + ": " + m);
            ms[r] = m.get("first_view_ms");
            cpu[r] = m.getOrDefault("first_view_cpu_ms", -1L);
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.println("cold start to the first view: median " + ms[RUNS / 2] + " ms wall (min " + ms[0] + ", max " + ms[RUNS - 1]
                + "), median " + cpu[RUNS / 2] + " ms process CPU, over " + RUNS + " runs; target < 5000 ms");
        System.out.println("load average after: " + loadAverage() + " (" + Runtime.getRuntime().availableProcessors()
                + " cpus; the machine may be shared: compare runs under similar load)");
    }

    /** The 1, 5 and 15 minute load averages (Linux), or what the JVM knows. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return String.format(java.util.Locale.ROOT, "%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** One launch; the NAME_ms=N lines it printed (first_view_ms, first_view_cpu_ms, window_shown_ms, model_loaded_ms). */
    private static Map<String, Long> run(Path jar, boolean display) throws IOException, InterruptedException {
        Path config = Files.createTempDirectory("headwise-coldstart");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dheadwise.exitAfterFirstView=true");
        command.add("-Dheadwise.session=" + config.resolve("session.json"));
        if (display) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            command.addAll(List.of("-Dglass.platform=Monocle", "-Dmonocle.platform=Headless", "-Dprism.order=sw",
                    "-Djava.awt.headless=true"));
            command.add("-cp"); // the jar's manifest Class-Path (lib/*) still applies to a jar on the class path
            command.add(jar + java.io.File.pathSeparator + monocleJar());
            command.add("headwise.app.Main");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Map<String, Long> result = new LinkedHashMap<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.matches("[a-z_]+_ms=\\d+")) {
                    result.put(line.substring(0, line.indexOf('=')), Long.parseLong(line.substring(line.indexOf('=') + 1)));
                }
            }
        }
        if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        if (!result.containsKey("first_view_ms")) {
            throw new IllegalStateException("the app printed no first_view_ms:\n" + output);
        }
        return result;
    }

    /** The Monocle jar on this class path (a test dependency; the app does not ship it). */
    private static String monocleJar() {
        try {
            Class<?> factory = Class.forName("com.sun.glass.ui.monocle.MonoclePlatformFactory");
            return Path.of(factory.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("Monocle (org.testfx:openjfx-monocle) is not on the class path", e);
        }
    }
}
