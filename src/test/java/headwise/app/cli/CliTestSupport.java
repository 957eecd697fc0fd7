package headwise.app.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and keeps what it printed. */
final class CliTestSupport {

    record Run(int exitCode, String out, String err) {
    }

    private CliTestSupport() {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = Cli.execute(cli, args);
        return new Run(code, out.toString(), err.toString());
    }
}
