package headwise.app.ui.model;

import headwise.app.ForwardOptionsProperties;
import headwise.app.StartupTrace;
import headwise.app.session.SessionState;
import headwise.engine.HeadwiseException;
import headwise.engine.load.BundledModels;
import headwise.engine.load.Llama2cLoader;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.tokenize.TextTokenizer;
import headwise.engine.tokenize.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * Cold start: the first model is loaded (ND4J initialised with it) and the first state analysed on a thread of their
 * own that starts before the JavaFX toolkit, so both overlap the window's appearance; a Hugging Face tokenizer.json
 * is opened on a second thread meanwhile (it needs neither ND4J nor the weights). {@link AppModel} (through its {@link ModelLifecycle}) takes the
 * results instead of computing them when it asks for exactly this model and state; anything else it discards.
 *
 * @param <R> what the first run yields ({@link AnalysisRun.Outcome})
 */
public final class StartupPreload<R> {

    private final SessionState state;
    private final CompletableFuture<LoadedModel> model = new CompletableFuture<>();
    private final CompletableFuture<R> run = new CompletableFuture<>();
    private volatile SessionState ranState;
    /** The tokenizer being opened beside the model, or null; {@link #handed} once a LoadedModel owns it. */
    private final CompletableFuture<Tokenizer> tokenizer;
    private final AtomicBoolean handed = new AtomicBoolean();

    /**
     * @param fitted  the state AppModel will run once the model is loaded (it fits the interventions to the model)
     * @param analyse the run of that state on the loaded model
     */
    StartupPreload(SessionState state, BiFunction<LoadedModel, SessionState, SessionState> fitted,
                   BiFunction<LoadedModel, SessionState, R> analyse) {
        this.state = state;
        Path tokenizerFile = tokenizerFile(state.model());
        if (tokenizerFile != null) {
            tokenizer = new CompletableFuture<>();
            Thread opener = new Thread(() -> {
                long t = StartupTrace.now();
                try {
                    tokenizer.complete(TextTokenizer.open(tokenizerFile));
                    StartupTrace.done("tokenizer open", t);
                } catch (Throwable e) {
                    tokenizer.completeExceptionally(e);
                }
            }, "headwise-preload-tokenizer");
            opener.setDaemon(true);
            opener.start();
        } else {
            tokenizer = null;
        }
        Thread thread = new Thread(() -> {
            LoadedModel loaded;
            SessionState s;
            try {
                long t = StartupTrace.now();
                ModelLoader.startBackend(); // the backend and its native libraries, timed on their own
                StartupTrace.done("nd4j init", t);
                t = StartupTrace.now();
                loaded = withPreopenedTokenizer(ModelLoader.load(state.model()).withOptions(ForwardOptionsProperties.current()), tokenizerFile);
                StartupTrace.done("model load", t);
                s = fitted.apply(loaded, state);
            } catch (Throwable e) {
                model.completeExceptionally(e);
                run.completeExceptionally(e);
                return;
            }
            ranState = s; // before the model is handed out: whoever sees the model sees the state it runs
            model.complete(loaded);
            try {
                long t = StartupTrace.now();
                R first = analyse.apply(loaded, s);
                StartupTrace.done("first run (preload)", t);
                run.complete(first);
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        }, "headwise-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /** The tokenizer.json a Hugging Face folder (or bundled model) called {@code name} has, or null. */
    private static Path tokenizerFile(String name) {
        try {
            Path folder = BundledModels.canonicalName(name).flatMap(BundledModels::find).orElse(Path.of(name));
            Path file = folder.resolve("tokenizer.json");
            return Files.isDirectory(folder) && !Llama2cLoader.isLlama2cFolder(folder) && Files.isRegularFile(file) ? file : null;
        } catch (RuntimeException e) {
            return null; // not a path: the model load says why
        }
    }

    /** {@code loaded} taking its tokenizer from the one opened beside it (when it is that file). */
    private LoadedModel withPreopenedTokenizer(LoadedModel loaded, Path file) {
        if (tokenizer == null || !loaded.hasTokenizer() || !loaded.folder().resolve("tokenizer.json").equals(file)) {
            return loaded;
        }
        return new LoadedModel(loaded.name(), loaded.folder(), loaded.transformer(), file, p -> {
            if (!p.equals(file) || !handed.compareAndSet(false, true)) {
                return TextTokenizer.open(p);
            }
            try {
                return tokenizer.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof HeadwiseException h) {
                    throw h;
                }
                throw HeadwiseException.inFile(file, "cannot load tokenizer: " + e.getCause());
            }
        });
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
        if (tokenizer != null) {
            tokenizer.thenAccept(t -> {
                if (handed.compareAndSet(false, true)) {
                    t.close();
                }
            });
        }
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
