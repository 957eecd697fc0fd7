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
        return line("corpus", "prompts");
    }

    /** The line of another job: "probe: 40/100 examples, 12.3 examples/s, ETA 5 s". */
    public String line(String job, String records) {
        if (failure != null) {
            return failure;
        }
        return String.format(Locale.ROOT, "%s: %d/%d %s, %.1f %s/s, ETA %.0f s", job, done, total, records, rate, records, etaSeconds);
    }

    public double fraction() {
        return total == 0 ? 0 : (double) done / total;
    }
}
