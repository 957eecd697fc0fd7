package headwise.app.ui.model;

import headwise.app.session.SessionFile;
import headwise.app.session.SessionState;
import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Saves every change of the session state to one file, on a thread of its own: the FX thread only hands over the
 * newest state. Changes that come faster than the disk are coalesced (only the newest is written), and each write
 * replaces the file atomically ({@link SessionFile#write}), so a killed app restarts where it was.
 */
public final class Autosave implements AutoCloseable {

    private final Path file;
    private final Consumer<String> onProblem;
    private final AtomicReference<SessionState> pending = new AtomicReference<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "headwise-autosave");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param file      the autosave file
     * @param onProblem told, on the writer thread, why a write failed (one line); the work goes on
     */
    public Autosave(Path file, Consumer<String> onProblem) {
        this.file = file;
        this.onProblem = onProblem;
    }

    public Path file() {
        return file;
    }

    /** Saves {@code state} soon; returns at once. */
    public void save(SessionState state) {
        if (pending.getAndSet(state) == null) {
            writer.execute(this::writeNewest);
        }
    }

    /** Runs another small write (the recent-models list, a session saved as) on the same thread, in order with the saves. */
    public void alsoWrite(Runnable write) {
        writer.execute(write);
    }

    /** Waits until every state handed over so far is on disk (tests, and the app before it exits). */
    public void flush() {
        try {
            writer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the autosave did not finish", e);
        }
    }

    private void writeNewest() {
        SessionState newest = pending.getAndSet(null);
        if (newest == null) {
            return;
        }
        try {
            SessionFile.write(newest, file);
        } catch (HeadwiseException e) {
            onProblem.accept(e.getMessage());
        }
    }

    /** Writes what is pending, then stops the writer. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
