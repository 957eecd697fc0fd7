package headwise.app;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * With {@code -Dheadwise.startupTrace=true} the app prints one line per start-up phase to stderr:
 * {@code startup PHASE at=N ms took=M ms [thread]}, N from the JVM's start (the OS process start as the JVM records
 * it), M the phase's own time when it has one. Each phase is printed once (later runs of the same code are not
 * start-up). Off, every call is a field read.
 */
public final class StartupTrace {

    private static final boolean ON = Boolean.getBoolean("headwise.startupTrace");
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    private StartupTrace() {
    }

    public static boolean on() {
        return ON;
    }

    /** Now, for {@link #done}. */
    public static long now() {
        return System.nanoTime();
    }

    /** A point in time: {@code phase} reached. */
    public static void mark(String phase) {
        if (ON && SEEN.add(phase)) {
            print(phase, -1);
        }
    }

    /** {@code phase} ended now; it began at {@code startNanos} ({@link #now}). */
    public static void done(String phase, long startNanos) {
        if (ON && SEEN.add(phase)) {
            print(phase, (System.nanoTime() - startNanos) / 1_000_000);
        }
    }

    /** Milliseconds since the JVM started. */
    public static long sinceJvmStart() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    private static void print(String phase, long took) {
        System.err.println(String.format(Locale.ROOT, "startup %-22s at=%5d ms%s [%s]", phase, sinceJvmStart(),
                took >= 0 ? String.format(Locale.ROOT, " took=%5d ms", took) : "", Thread.currentThread().getName()));
    }
}
