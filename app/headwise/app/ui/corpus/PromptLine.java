package headwise.app.ui.corpus;

import headwise.engine.corpus.CorpusResults;

import java.util.Locale;

/** A row of the prompts table (JavaFX reads its getters). */
public final class PromptLine {
    private final String rank;
    private final CorpusResults.PromptRow row;
    private final double value;

    PromptLine(String rank, CorpusResults.Ranked r) {
        this.rank = rank;
        this.row = r.row();
        this.value = r.value();
    }

    public String getRank() {
        return rank;
    }

    public int getPrompt() {
        return row.prompt();
    }

    public int getLine() {
        return row.line();
    }

    public String getId() {
        return row.id() == null ? "" : row.id();
    }

    public String getLabel() {
        return row.label() == null ? "" : row.label();
    }

    public int getTokens() {
        return row.tokens();
    }

    public String getValue() {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    CorpusResults.PromptRow row() {
        return row;
    }
}
