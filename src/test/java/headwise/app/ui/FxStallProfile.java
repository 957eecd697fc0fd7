package headwise.app.ui;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the FX thread keeps pulses waiting: a sampler that looks at the FX thread's stack every
 * {@link #SAMPLE_MS} ms while the pulse in progress is over {@link #LATE_MS} ms late, and charges each sample to
 * what ran: the innermost headwise frame, or, when none is on the stack, the innermost JavaFX/JDK frames (layout,
 * CSS, rendering). {@link #report} lists the culprits by time, the worst first: what to move off the FX thread.
 */
final class FxStallProfile {

    static final int SAMPLE_MS = 5;
    static final int LATE_MS = 50;

    private final Map<String, Integer> samples = new HashMap<>();
    /** The samples of the stall in progress, the pulse it waits after, and the longest stall's culprits. */
    private final Map<String, Integer> stall = new HashMap<>();
    private long stallOf;
    private long wakeups;
    private long worstStallMs;
    private String worstStall = "";
    private final Thread sampler;
    private final java.util.function.LongSupplier lastPulse;

    /** @param lastPulse the nanoTime of the last pulse seen (0 before the first) */
    FxStallProfile(Thread fx, java.util.function.LongSupplier lastPulse) {
        this.lastPulse = lastPulse;
        sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long last = lastPulse.getAsLong();
                if (last != stallOf) { // a pulse came: the stall before it is over
                    stallOf = last;
                    stall.clear();
                    wakeups = 0;
                }
                wakeups++;
                long late = System.nanoTime() - last;
                if (last != 0 && late > LATE_MS * 1_000_000L) {
                    String culprit = culprit(fx.getStackTrace());
                    synchronized (samples) {
                        samples.merge(culprit, 1, Integer::sum);
                        stall.merge(culprit, 1, Integer::sum);
                        if (late / 1_000_000L > worstStallMs) {
                            worstStallMs = late / 1_000_000L;
                            worstStall = top(stall, 3) + String.format(Locale.ROOT, "%n  (this sampler woke %d times in it instead of"
                                    + " about %d: the whole process was waiting for the CPU)", wakeups, worstStallMs / SAMPLE_MS);
                        }
                    }
                }
            }
        }, "fx-stall-profile");
        sampler.setDaemon(true);
    }

    FxStallProfile start() {
        sampler.start();
        return this;
    }

    void stop() {
        sampler.interrupt();
    }

    /** The culprits with the milliseconds charged to each, worst first, at most {@code top}; then the longest stall's. */
    String report(int top) {
        synchronized (samples) {
            return top(samples, top) + "\nthe longest stall (" + worstStallMs + " ms) was spent in:\n" + worstStall;
        }
    }

    private static String top(Map<String, Integer> counts, int top) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .map(e -> String.format(Locale.ROOT, "  %6d ms  %s", e.getValue() * SAMPLE_MS, e.getKey()))
                .collect(Collectors.joining("\n"));
    }

    /** The innermost headwise frames (with the frame they called), else the three innermost frames. */
    static String culprit(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().startsWith("headwise")) {
                String called = i > 0 ? " \u2192 " + frame(stack[i - 1]) : "";
                String caller = i + 1 < stack.length && stack[i + 1].getClassName().startsWith("headwise") ? " < " + frame(stack[i + 1]) : "";
                return frame(stack[i]) + called + caller;
            }
        }
        if (stack.length > 0 && stack[0].getMethodName().contains("wait") || stack.length > 0 && stack[0].isNativeMethod()
                && stack[0].getClassName().contains("InvokeLaterDispatcher")) {
            return "(idle: waiting for work)";
        }
        // waiting on a lock (the renderer's, a queue's): name who waits, past the JDK's own locking frames
        return Arrays.stream(stack).filter(f -> !f.getClassName().startsWith("java.util.concurrent")
                        && !f.getClassName().startsWith("jdk.internal")).limit(3).map(FxStallProfile::frame)
                .collect(Collectors.joining(" < ")) + (stack.length > 0 && stack[0].getMethodName().equals("park") ? " (parked)" : "");
    }

    private static String frame(StackTraceElement f) {
        String cls = f.getClassName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber();
    }
}
