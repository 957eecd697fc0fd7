package headwise.app.ui;

import headwise.app.StartupTrace;
import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import javafx.application.Platform;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.scene.Scene;

import java.lang.management.ManagementFactory;

/**
 * Measures cold start for real: with {@code -Dheadwise.exitAfterFirstView=true} the app prints
 * {@code first_view_ms=N}, the time from the JVM's start to the first analysed run drawn on screen (the pulse after
 * the one that rendered it), and exits; {@code window_built_ms} (the window's nodes made), {@code window_shown_ms}
 * and {@code model_loaded_ms} say where the time went. Off otherwise. ColdStartBench runs it.
 */
final class FirstViewProbe {

    static final String PROPERTY = "headwise.exitAfterFirstView";

    private FirstViewProbe() {
    }

    /** Call after the window exists: its pages draw a new session before this listener sees it. */
    static void install(AppModel model, Scene scene) {
        boolean exit = Boolean.getBoolean(PROPERTY);
        if (!exit && !StartupTrace.on()) {
            return;
        }
        if (exit) {
            System.out.println("window_built_ms=" + sinceJvmStart());
        }
        model.sessionProperty().addListener(new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Session> o, Session was, Session now) {
                if (now != null) {
                    model.sessionProperty().removeListener(this);
                    StartupTrace.mark("first run on FX thread");
                    afterNextRender(scene, exit);
                }
            }
        });
        model.runner().specProperty().addListener((o, was, spec) -> {
            if (was == null && spec != null) {
                StartupTrace.mark("model on FX thread");
                if (exit) {
                    System.out.println("model_loaded_ms=" + sinceJvmStart());
                }
            }
        });
        Platform.runLater(() -> {
            StartupTrace.mark("window shown");
            if (exit) {
                System.out.println("window_shown_ms=" + sinceJvmStart());
            }
        });
        model.failedProperty().addListener((o, was, failed) -> {
            if (exit && failed && model.session() == null) {
                exit("first_view_failed=" + model.statusProperty().get(), 1);
            }
        });
    }

    /** The page drew the run in this pulse; a pulse starts only when the previous frame is rendered: report at the next. */
    private static void afterNextRender(Scene scene, boolean exit) {
        int[] pulses = {0};
        Runnable[] listener = new Runnable[1];
        listener[0] = () -> {
            if (++pulses[0] < 2) {
                Platform.requestNextPulse();
                return;
            }
            scene.removePostLayoutPulseListener(listener[0]);
            StartupTrace.mark("first view painted");
            if (!exit) {
                return;
            }
            System.out.println("first_view_cpu_ms=" + processCpuMs());
            exit("first_view_ms=" + sinceJvmStart(), 0);
        };
        scene.addPostLayoutPulseListener(listener[0]);
        Platform.requestNextPulse();
    }

    /** CPU time of all the process's threads: on a shared machine it says more than the wall clock. */
    private static long processCpuMs() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1_000_000 : -1;
    }

    private static long sinceJvmStart() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    /** Exits from another thread (the FX thread must not wait for the shutdown it starts); a profiler's hook still runs. */
    private static void exit(String line, int status) {
        System.out.println(line);
        System.out.flush();
        Thread exit = new Thread(() -> System.exit(status), "headwise-exit");
        exit.setDaemon(true);
        exit.start();
    }
}
