package headwise.app;

import headwise.app.cli.Cli;

/**
 * Entry point of headwise.jar: with no arguments the desktop app, otherwise a CLI command.
 * A plain class (not an Application) so that {@code java -jar} works with JavaFX on the classpath.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        headwise.engine.model.BlasKernels.chooseBeforeLoading(); // OpenBLAS's kernels, before ND4J loads it
        if (args.length == 0) {
            StartupTrace.mark("main");
            try {
                ForwardOptionsProperties.current(); // a bad -D switch is one line before any window opens
            } catch (headwise.engine.HeadwiseException e) {
                System.err.println("headwise: " + e.getMessage());
                System.exit(2);
            }
            NativeThreads.preferPassiveWaiting(); // the app: interactive, on a machine shared with other programs
            headwise.app.ui.HeadwiseApp.launchApp(args);
            return;
        }
        System.exit(Cli.run(args));
    }
}
