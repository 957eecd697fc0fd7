package headwise.app.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command that runs out of heap ends with one line naming what to change, not a JVM stack trace. */
class OutOfMemoryTest {

    @CommandLine.Command(name = "exhaust")
    static final class Exhaust implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space"); // what a run whose budget fell short meets
        }
    }

    @Test
    void outOfMemoryIsOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine().addSubcommand(new Exhaust());
        cli.setErr(new PrintWriter(err, true));
        int code = Cli.execute(cli, "exhaust");
        String printed = err.toString().strip();
        assertEquals(Cli.INTERNAL_ERROR, code);
        assertEquals(1, printed.lines().count(), printed);
        assertTrue(printed.startsWith("error: out of memory (Java heap space)"), printed);
        assertTrue(printed.contains("-Xmx"), printed);
        assertFalse(printed.contains("Exception in thread"), printed);
    }
}
