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
        if (args.length == 0) {
            StartupTrace.mark("main");
            NativeThreads.preferPassiveWaiting(); // the app: interactive, on a machine shared with other programs
            headwise.app.ui.HeadwiseApp.launchApp(args);
            return;
        }
        System.exit(Cli.run(args));
    }
}
