package headwise.app.corpus;

import java.io.Serializable;

/** One prompt (or probe example) as a Spark record: its place in the corpus and its checked token ids. */
public record PromptTask(int index, int[] ids) implements Serializable {
}
