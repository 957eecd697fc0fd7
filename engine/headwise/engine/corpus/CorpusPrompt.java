package headwise.engine.corpus;

import java.io.Serializable;

/**
 * One prompt of a corpus file, as read: exactly one of {@code text} and {@code ids} is set; {@code id}, {@code label}
 * and {@code split} are optional (null when absent). {@code line} is the 1-based line the prompt starts on.
 */
public record CorpusPrompt(int line, String id, String label, String split, String text, int[] ids) implements Serializable {
}
