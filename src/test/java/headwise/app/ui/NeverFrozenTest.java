package headwise.app.ui;

import headwise.app.ForwardOptionsProperties;
import javafx.animation.AnimationTimer;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window never freezes: a 4096-token input on a small llama (the fixture with its position limit lifted; RoPE
 * needs no position table), its attention in recompute mode, is driven through every page and a few head
 * selections, while a timer on the FX thread records how late every pulse came: the worst and the 99th percentile
 * (beside the idle window's own, measured first on the same machine) are printed and held under the limits below,
 * and {@link FxStallProfile} prints where the FX thread spent the time while pulses waited.
 */
@ExtendWith(ApplicationExtension.class)
class NeverFrozenTest {

    private static final int TOKENS = 4096;
    /**
     * The limits, for what the window adds to the machine's own jitter: the idle window's 99th percentile and
     * worst delay, measured first on the same machine, are allowed on top (about 10 ms on a quiet machine; with seven
     * other builds on its two cores, load 28, the idle window alone saw 68 ms and pulses wait for the CPU while the
     * FX thread has nothing to do: FxStallProfile charges most late time to "idle" and the renderer's lock).
     */
    private static final double P99_LIMIT_MS = 100;
    private static final double WORST_LIMIT_MS = 500;
    private static final String[] PAGES = {"Model view", "Head", "Interventions", "Flow", "Importance", "Sinks", "Layers", "ViT", "Compare"};

    private HeadwiseApp app;
    private Path folder;

    @Start
    void start(Stage stage) throws Exception {
        folder = Files.createTempDirectory("headwise-frozen-test");
        System.setProperty("headwise.attention", "recompute");
        ForwardOptionsProperties.forget();
        app = HeadwiseAppTest.startApp(stage, folder.resolve("session.json"), new HeadwiseAppTest.FakeChooser());
        stage.setWidth(1280);
        stage.setHeight(800);
    }

    @Stop
    void stop() {
        System.clearProperty("headwise.attention");
        ForwardOptionsProperties.forget();
        app.stop();
    }

    /** Time between pulses, less the 60 Hz period: how long the FX thread kept a pulse waiting. */
    private static final class PulseWatch extends AnimationTimer {
        final List<Double> delaysMs = new ArrayList<>();
        private volatile long last;

        @Override
        public void handle(long now) {
            if (last != 0) {
                delaysMs.add(Math.max(0, (now - last) / 1e6 - 1000.0 / 60));
            }
            last = now;
        }

        long lastPulse() {
            return last;
        }
    }

    @Test
    void aLongInputThroughEveryPageKeepsThePulsesOnTime(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !app.model().isBusy() && app.model().session() != null);
        Path llama = longLlama();
        robot.interact(() -> app.window().open(llama));
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !app.model().isBusy() && "llama_long".equals(app.model().modelName()));

        // this machine's own jitter, the window idle: other builds share its two cores (printed, and allowed for)
        PulseWatch idle = new PulseWatch();
        robot.interact(idle::start);
        Thread.sleep(5000);
        robot.interact(idle::stop);
        double idleP99 = percentile(idle.delaysMs, 0.99);
        double idleWorst = percentile(idle.delaysMs, 1);

        PulseWatch watch = new PulseWatch();
        robot.interact(watch::start);
        Thread fx = WaitForAsyncUtils.asyncFx(Thread::currentThread).get(10, TimeUnit.SECONDS);
        FxStallProfile profile = new FxStallProfile(fx, watch::lastPulse).start();
        String ids = IntStream.range(0, TOKENS).mapToObj(i -> Integer.toString(3 + (i * 7919) % 90)).collect(Collectors.joining(", "));
        robot.interact(() -> app.model().analyse(ids));
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !app.model().isBusy());
        assertEquals(TOKENS, app.model().session().result().input().length(), app.model().statusProperty().get());
        for (String title : PAGES) {
            robot.interact(() -> app.window().selectPage(title));
            settle();
        }
        robot.interact(() -> app.window().selectPage("Head"));
        for (int[] head : new int[][] {{1, 2}, {2, 0}, {0, 3}}) {
            robot.interact(() -> app.model().select(head[0], head[1]));
            settle();
        }
        robot.interact(() -> app.window().viewState().hideSinksProperty().set(true));
        settle();
        robot.interact(() -> app.window().selectPage("Sinks"));
        settle();
        robot.interact(watch::stop);
        profile.stop();

        double p99 = percentile(watch.delaysMs, 0.99);
        double worst = percentile(watch.delaysMs, 1);
        System.out.printf(Locale.ROOT, "FX pulse delays over %d pulses at %d tokens (recompute): 99th percentile %.1f ms, worst %.1f ms;"
                + " idle window on this machine: 99th percentile %.1f ms, worst %.1f ms; load average %.1f%nwhere the FX thread kept pulses over %d ms"
                + " waiting:%n%s%n", watch.delaysMs.size(), TOKENS, p99, worst, idleP99, idleWorst,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), FxStallProfile.LATE_MS,
                profile.report(15));
        assertEquals(TOKENS, app.model().session().result().input().length());
        assertTrue(p99 <= P99_LIMIT_MS + idleP99, "99th percentile pulse delay " + p99 + " ms (idle: " + idleP99 + " ms)");
        assertTrue(worst <= WORST_LIMIT_MS + idleWorst, "worst pulse delay " + worst + " ms (idle: " + idleWorst + " ms)");
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** Lets the page's background reads finish while the watch keeps recording. */
    private void settle() throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !app.model().isBusy());
        Thread.sleep(1500);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The llama fixture, its position limit raised to 8192 (RoPE has no position table to outgrow). */
    private Path longLlama() throws Exception {
        Path from = Path.of("src/test/resources/fixtures/llama_f32");
        Path to = Files.createDirectories(folder.resolve("llama_long"));
        Files.copy(from.resolve("model.safetensors"), to.resolve("model.safetensors"));
        String config = Files.readString(from.resolve("config.json")).replaceAll("\"max_position_embeddings\": *\\d+", "\"max_position_embeddings\": 8192");
        Files.writeString(to.resolve("config.json"), config);
        return to;
    }
}
