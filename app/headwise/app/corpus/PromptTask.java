package headwise.app.corpus;

import java.io.Serializable;

/** One prompt as a Spark record: its place in the corpus and its checked token ids. */
record PromptTask(int index, int[] ids) implements Serializable {
}
