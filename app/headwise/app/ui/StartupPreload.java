package headwise.app.ui;

import headwise.app.ui.state.SessionState;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;

/**
 * Cold start: the first model is loaded (ND4J initialised with it) and the first state analysed on a thread of their
 * own that starts before the JavaFX toolkit, so both overlap the window's appearance. {@link MainModel} takes the
 * results instead of computing them when it asks for exactly this model and state; anything else it discards.
 *
 * @param <R> what the first run yields (MainModel's outcome)
 */
final class StartupPreload<R> {

    private final SessionState state;
    private final CompletableFuture<LoadedModel> model = new CompletableFuture<>();
    private final CompletableFuture<R> run = new CompletableFuture<>();
    private volatile SessionState ranState;

    /**
     * @param fitted  the state MainModel will run once the model is loaded (it fits the interventions to the model)
     * @param analyse the run of that state on the loaded model
     */
    StartupPreload(SessionState state, BiFunction<LoadedModel, SessionState, SessionState> fitted,
                   BiFunction<LoadedModel, SessionState, R> analyse) {
        this.state = state;
        Thread thread = new Thread(() -> {
            LoadedModel loaded;
            SessionState s;
            try {
                loaded = ModelLoader.load(state.model());
                s = fitted.apply(loaded, state);
            } catch (Throwable e) {
                model.completeExceptionally(e);
                run.completeExceptionally(e);
                return;
            }
            ranState = s; // before the model is handed out: whoever sees the model sees the state it runs
            model.complete(loaded);
            try {
                run.complete(analyse.apply(loaded, s));
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        }, "headwise-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether this preload loads the model called {@code name}. */
    boolean loads(String name) {
        return state.model().equals(name);
    }

    /** The loaded model (waits for it); the load's own exception when it failed. */
    LoadedModel model() throws Exception {
        return await(model);
    }

    /** Whether the first run is of {@code s} on {@code loaded}. */
    boolean ran(LoadedModel loaded, SessionState s) {
        return model.isDone() && !model.isCompletedExceptionally() && model.join() == loaded && s.equals(ranState);
    }

    /** The first run's result (waits for it). */
    R run() throws Exception {
        return await(run);
    }

    /** Closes the model once loaded: for a preload nobody took. */
    void discard() {
        model.thenAccept(LoadedModel::close);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
