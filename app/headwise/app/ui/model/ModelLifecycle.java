package headwise.app.ui.model;

import headwise.app.ForwardOptionsProperties;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The models the app has open: the one analysed (current), the second model of compare mode, and the first model a
 * {@link StartupPreload} loads before the window exists. A model is closed only when it is no longer wanted and no
 * job holds a {@link Lease} on it, so switching models never frees weights or a tokenizer under a running job.
 * A job takes its lease on its own thread when it starts ({@link Handle#lease}): a job cancelled before it started
 * never holds one.
 */
public final class ModelLifecycle implements AutoCloseable {

    private final Function<String, LoadedModel> loader;
    /** Models loaded and not yet closed (tests check that switches leak none). */
    private final Set<Handle> open = ConcurrentHashMap.newKeySet();
    private volatile Handle current;
    /** Guards the compare model; apart from the other lock, so a compare load never blocks the FX thread. */
    private final Object compareLock = new Object();
    private Handle compare;
    private String compareWanted;
    private volatile String compareName;
    private StartupPreload<AnalysisRun.Outcome> preload;

    public ModelLifecycle() {
        this(name -> ModelLoader.load(name).withOptions(ForwardOptionsProperties.current()));
    }

    /** @param loader loads a model by bundled name or folder (on an engine thread) */
    public ModelLifecycle(Function<String, LoadedModel> loader) {
        this.loader = loader;
    }

    /** Uses {@code early}'s model (and first run) when the first load asks for exactly that model. */
    public synchronized void adopt(StartupPreload<AnalysisRun.Outcome> early) {
        preload = early;
    }

    /** The start-up preload not yet used, once: its first run may replace the first run (FX thread). */
    synchronized StartupPreload<AnalysisRun.Outcome> takePreload() {
        StartupPreload<AnalysisRun.Outcome> early = preload;
        preload = null;
        return early;
    }

    /**
     * Loads the model called {@code name} (engine thread): the preload's when it loads this one; a preload of another
     * model is discarded. The model is open but not current until {@link #install}.
     */
    public LoadedModel load(String name) throws Exception {
        StartupPreload<AnalysisRun.Outcome> early;
        synchronized (this) {
            early = preload;
            if (early != null && !early.loads(name)) {
                preload = null;
                early.discard();
                early = null;
            }
        }
        return early != null ? early.model() : loader.apply(name);
    }

    /** Makes {@code model} the current one; the previous is closed once no job holds it (FX thread). */
    public void install(LoadedModel model) {
        Handle previous = current;
        if (previous != null && previous.model == model) {
            return;
        }
        current = new Handle(model);
        if (previous != null) {
            previous.retire();
        }
    }

    /** The current model's handle, or null before one is installed. */
    public Handle current() {
        return current;
    }

    /** The current model, or null. */
    public LoadedModel currentModel() {
        Handle h = current;
        return h == null ? null : h.model;
    }

    /**
     * The compare model {@code wanted}, leased (engine thread): loaded now unless it is the one kept; the model it
     * replaces is closed once unused. Loading holds the lock, so two runs never load the same model twice.
     */
    public Lease compare(String wanted) {
        synchronized (compareLock) {
            if (compare == null || !wanted.equals(compareWanted)) {
                LoadedModel next = loader.apply(wanted);
                dropCompare();
                compare = new Handle(next);
                compareWanted = wanted;
                compareName = next.name();
            }
            return compare.lease();
        }
    }

    /** Compare mode no longer wants a second model: it is closed once unused (engine thread: waits for a load). */
    public void dropCompare() {
        synchronized (compareLock) {
            if (compare != null) {
                compare.retire();
            }
            compare = null;
            compareWanted = null;
            compareName = null;
        }
    }

    /** The loaded compare model's name, or null; read without the lock, so the FX thread never waits for a load. */
    public String compareName() {
        return compareName;
    }

    /** Models loaded and not yet closed. */
    public int openModels() {
        return open.size();
    }

    /** Closes every model as soon as the jobs using it end. */
    @Override
    public void close() {
        Handle h = current;
        current = null;
        if (h != null) {
            h.retire();
        }
        dropCompare();
        StartupPreload<AnalysisRun.Outcome> early = takePreload();
        if (early != null) {
            early.discard();
        }
    }

    /** One open model and the jobs using it. */
    public final class Handle {
        private final LoadedModel model;
        private int users;
        private boolean retired;
        private boolean closed;

        private Handle(LoadedModel model) {
            this.model = model;
            open.add(this);
        }

        /** The model, for reading its name and shape; a job that runs it takes a {@link #lease} instead. */
        public LoadedModel model() {
            return model;
        }

        /** Holds the model open until the lease is closed; a CancellationException when it is closed already. */
        public synchronized Lease lease() {
            if (closed) {
                throw new CancellationException(model.name() + " was closed before the job started");
            }
            users++;
            return new Lease(this);
        }

        private synchronized void release() {
            users--;
            closeIfUnused();
        }

        private synchronized void retire() {
            retired = true;
            closeIfUnused();
        }

        private void closeIfUnused() {
            if (retired && users == 0 && !closed) {
                closed = true;
                open.remove(this);
                model.close();
            }
        }
    }

    /** A job's hold on a model; closing it (once) lets the model close when it is no longer wanted. */
    public static final class Lease implements AutoCloseable {
        private final Handle handle;
        private boolean released;

        private Lease(Handle handle) {
            this.handle = handle;
        }

        public LoadedModel model() {
            return handle.model;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                handle.release();
            }
        }
    }
}
