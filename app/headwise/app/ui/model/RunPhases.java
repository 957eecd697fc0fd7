package headwise.app.ui.model;

import headwise.app.StartupTrace;

import java.util.concurrent.Callable;

/**
 * How the phases of a run are observed: not at all, or each printed once as a start-up phase. The run names its
 * phases; tracing wraps them from outside, so the run itself knows nothing of start-up.
 */
public interface RunPhases {

    <T> T phase(String name, Callable<T> work) throws Exception;

    /** Runs each phase as it is. */
    RunPhases NONE = new RunPhases() {
        @Override
        public <T> T phase(String name, Callable<T> work) throws Exception {
            return work.call();
        }
    };

    /** Each phase timed by {@link StartupTrace} (printed the first time only, with -Dheadwise.startupTrace=true). */
    RunPhases STARTUP = new RunPhases() {
        @Override
        public <T> T phase(String name, Callable<T> work) throws Exception {
            long t = StartupTrace.now();
            T out = work.call();
            StartupTrace.done(name, t);
            return out;
        }
    };

    /** {@link #STARTUP} when start-up tracing is on, else {@link #NONE}. */
    static RunPhases forStartup() {
        return StartupTrace.on() ? STARTUP : NONE;
    }
}
