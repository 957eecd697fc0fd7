package headwise.app.export;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Runs work with System.out silenced. ND4J's SameDiff prints a line to System.out for every operation it
 * differentiates (hundreds per gradient-importance run, unconditionally), which would bury the CLI's own output.
 */
public final class QuietStdout {

    private static final Object LOCK = new Object();

    private QuietStdout() {
    }

    public static <T> T call(Supplier<T> work) {
        synchronized (LOCK) {
            PrintStream saved = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                return work.get();
            } finally {
                System.setOut(saved);
            }
        }
    }
}
