package headwise.app.ui.page;

import headwise.app.session.Session;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * How a page reads attention it draws: a head of recomputed maps costs seconds at 8k tokens (it is recomputed from
 * the stored queries and keys), so the window reads those in the background and hands the result back on the FX
 * thread; stored maps are read at once. Each page has its own reader: a newer read replaces only that page's older one.
 */
public interface AttentionReads {

    /** Runs {@code read} for {@code session} and gives its result to {@code onDone} (FX thread), now or later. */
    <T> void read(Session session, Callable<T> read, Consumer<T> onDone);

    /** Reads at once, on the calling thread (page tests, and sessions whose maps are stored). */
    AttentionReads NOW = new AttentionReads() {
        @Override
        public <T> void read(Session session, Callable<T> read, Consumer<T> onDone) {
            T value;
            try {
                value = read.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            onDone.accept(value);
        }
    };
}
