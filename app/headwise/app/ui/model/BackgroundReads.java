package headwise.app.ui.model;

import headwise.app.session.Session;
import headwise.app.ui.page.AttentionReads;
import headwise.engine.run.AttentionMaps;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A page's {@link AttentionReads}: recomputed maps are read on an engine thread of the page's own (a newer read
 * abandons the older), stored maps at once. A read that fails says why in the status line.
 */
public final class BackgroundReads implements AttentionReads {

    private final EngineTasks tasks = new EngineTasks();
    private final Consumer<Throwable> onProblem;

    public BackgroundReads(Consumer<Throwable> onProblem) {
        this.onProblem = onProblem;
    }

    @Override
    public <T> void read(Session session, Callable<T> read, Consumer<T> onDone) {
        if (session.result().attention().precision() != AttentionMaps.Precision.RECOMPUTE) {
            NOW.read(session, read, onDone);
            return;
        }
        tasks.submit("reading attention", p -> read.call(), onDone, onProblem);
    }
}
