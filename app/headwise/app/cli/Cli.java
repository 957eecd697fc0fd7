package headwise.app.cli;

import headwise.engine.HeadwiseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The headless commands. User errors print one line ("error: …") and exit 2; --debug adds the stack trace. */
@Command(name = "headwise", mixinStandardHelpOptions = true, version = "Headwise 0.1",
        description = "Look inside transformers: attention, hooks, interventions.",
        subcommands = {AnalyzeCommand.class, BenchCommand.class, CorpusCommand.class, GenerateCommand.class, ExportCommand.class,
                ReportCommand.class, ProbeCommand.class,
            CommandLine.HelpCommand.class})
public final class Cli {

    public static final int USER_ERROR = 2;
    public static final int INTERNAL_ERROR = 3;

    public static int run(String... args) {
        return execute(commandLine(), args);
    }

    /**
     * Runs {@code args} on {@code cli}. An OutOfMemoryError (an Error, which picocli does not hand to the exception
     * handler) becomes one line too: MemoryBudget checks a run before it starts, but its estimates can fall short of
     * what a squeezed heap really holds, and the user should learn what to change, not read a JVM stack trace.
     */
    static int execute(CommandLine cli, String... args) {
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            cli.getErr().println("error: out of memory (" + firstLine(e.getMessage()) + "): give Java a larger heap "
                    + "(java -Xmx…) or use a shorter input");
            return INTERNAL_ERROR;
        }
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Cli());
        cli.setExecutionExceptionHandler(Cli::handleExecutionException);
        cli.setParameterExceptionHandler(Cli::handleParameterException);
        return cli;
    }

    private static int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        boolean debug = parsed.hasMatchedOption("--debug") || hasDebug(parsed);
        if (e instanceof HeadwiseException) {
            err.println("error: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return USER_ERROR;
        }
        err.println("error: internal error (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                + "); rerun with --debug for details");
        if (debug) {
            e.printStackTrace(err);
        }
        return INTERNAL_ERROR;
    }

    private static boolean hasDebug(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult sub = parsed.subcommand();
        return sub != null && sub.hasMatchedOption("--debug");
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("error: " + firstLine(e.getMessage()) + " (see --help)");
        return USER_ERROR;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
