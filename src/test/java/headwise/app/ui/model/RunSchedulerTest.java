package headwise.app.ui.model;

import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A new input cancels what still runs or waits for the old one; follow-ups of one input run in order; cancel and
 * failures drop the queue; a result an abandoned job still produced is handed to its discard (a loaded model closed).
 */
@ExtendWith(ApplicationExtension.class)
class RunSchedulerTest {

    private final EngineTasks tasks = new EngineTasks();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private RunScheduler scheduler;

    @Start
    void start(Stage stage) {
        scheduler = new RunScheduler(tasks, failures::add);
    }

    /** A job that records its result, after waiting for {@code gate} (interruptible: cancel stops it). */
    private RunScheduler.Job<String> job(String name, CountDownLatch gate, AtomicBoolean interrupted) {
        return new RunScheduler.Job<>(name, p -> {
            try {
                if (gate != null && !gate.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate never opened");
                }
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return name;
        }, events::add, value -> events.add("discarded " + value));
    }

    @Test
    void aNewInputCancelsTheRunningJobAndDropsItsFollowUps(FxRobot robot) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean oldInterrupted = new AtomicBoolean();
        robot.interact(() -> {
            scheduler.newInput(job("old run", never, oldInterrupted));
            scheduler.follow(job("old follow-up", null, new AtomicBoolean()));
        });
        waitFor(() -> tasks.inFlight() == 1, "the old run is running");
        assertEquals(1, scheduler.queued());
        robot.interact(() -> {
            scheduler.newInput(job("new run", null, new AtomicBoolean()));
            scheduler.follow(job("new follow-up", null, new AtomicBoolean()));
        });
        waitFor(() -> events.size() == 2 && !tasks.isBusy(), "the new input's jobs ran");
        assertEquals(List.of("new run", "new follow-up"), events, "nothing of the old input shows up");
        waitFor(oldInterrupted::get, "the old run's thread was interrupted");
        waitFor(() -> tasks.inFlight() == 0, "no thread still works for the old input");
        assertEquals(2, scheduler.input());
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void followUpsRunInOrderAfterTheRun(FxRobot robot) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        robot.interact(() -> {
            scheduler.newInput(job("run", gate, new AtomicBoolean()));
            scheduler.follow(job("metrics", null, new AtomicBoolean()));
            scheduler.follow(job("importance", null, new AtomicBoolean()));
        });
        assertEquals(2, scheduler.queued(), "they wait for the run");
        gate.countDown();
        waitFor(() -> events.size() == 3 && !tasks.isBusy(), "all three ran");
        assertEquals(List.of("run", "metrics", "importance"), events);
    }

    @Test
    void cancelStopsTheRunningJobAndDropsTheQueue(FxRobot robot) throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        robot.interact(() -> {
            scheduler.newInput(job("run", new CountDownLatch(1), interrupted));
            scheduler.follow(job("follow-up", null, new AtomicBoolean()));
        });
        waitFor(() -> tasks.inFlight() == 1, "the run is running");
        boolean[] wasRunning = new boolean[1];
        robot.interact(() -> wasRunning[0] = scheduler.cancel());
        assertTrue(wasRunning[0]);
        assertFalse(scheduler.isBusy());
        assertEquals(0, scheduler.queued());
        waitFor(interrupted::get, "the run's thread was interrupted");
        Thread.sleep(200);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void aFailureIsReportedAndDropsTheQueue(FxRobot robot) throws Exception {
        robot.interact(() -> {
            scheduler.newInput(new RunScheduler.Job<String>("failing run", p -> {
                throw new IllegalStateException("broken input");
            }, events::add));
            scheduler.follow(job("follow-up", null, new AtomicBoolean()));
        });
        waitFor(() -> failures.size() == 1 && !tasks.isBusy(), "the failure is reported");
        assertEquals("broken input", failures.get(0).getMessage());
        assertTrue(events.isEmpty(), "the follow-up of a failed run never runs: " + events);
    }

    @Test
    void aResultThatArrivesAfterItsJobWasAbandonedIsDiscarded(FxRobot robot) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        robot.interact(() -> scheduler.newInput(new RunScheduler.Job<String>("load", p -> {
            started.countDown();
            finish.await(); // ignores the interrupt's lesson: a load that cannot stop midway
            return "loaded model";
        }, events::add, value -> events.add("discarded " + value))));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        robot.interact(() -> scheduler.newInput(job("next", null, new AtomicBoolean())));
        waitFor(() -> events.contains("next"), "the next input ran");
        assertFalse(events.contains("loaded model"));
        // the abandoned load was interrupted while waiting; one that finishes anyway hands its result to discard
        CountDownLatch lateStart = new CountDownLatch(1);
        robot.interact(() -> scheduler.newInput(new RunScheduler.Job<String>("slow load", p -> {
            lateStart.countDown();
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait(); // does not look at the interrupt
            }
            return "late model";
        }, events::add, value -> events.add("discarded " + value))));
        assertTrue(lateStart.await(10, TimeUnit.SECONDS));
        robot.interact(() -> scheduler.newInput(job("last", null, new AtomicBoolean())));
        waitFor(() -> events.contains("discarded late model"), "the late result is discarded");
        assertFalse(events.contains("late model"), "and never shown");
        finish.countDown();
    }

    private static void waitFor(BooleanSupplier condition, String what) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, condition::getAsBoolean);
        } catch (TimeoutException e) {
            fail("timed out waiting for: " + what);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }
}
