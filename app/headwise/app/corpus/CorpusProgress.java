package headwise.app.corpus;

import java.util.Locale;

/**
 * Where a corpus run stands, from Spark's listener: prompts done of total (those resumed from finished partitions
 * included), the rate of the prompts computed in this run, and the time left at that rate. {@code failure} is a
 * failed task attempt's one line (Spark retries it), else null.
 */
public record CorpusProgress(long done, long total, long resumed, double rate, double etaSeconds, String failure) {

    /** The CLI's line: "corpus: 40/100 prompts, 12.3 prompts/s, ETA 5 s", or the failure. */
    public String line() {
        if (failure != null) {
            return failure;
        }
        return String.format(Locale.ROOT, "corpus: %d/%d prompts, %.1f prompts/s, ETA %.0f s", done, total, rate, etaSeconds);
    }

    public double fraction() {
        return total == 0 ? 0 : (double) done / total;
    }
}
