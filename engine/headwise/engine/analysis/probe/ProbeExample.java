package headwise.engine.analysis.probe;

/**
 * One labelled example of a probing data set: a text (tokenized by the model) or token ids (used as given), its
 * label, and its split when the file names one (null otherwise).
 *
 * @param row the 1-based data row in the file (JSONL: line; CSV: record after the header), for error messages
 */
public record ProbeExample(int row, String text, int[] ids, String label, Split split) {

    public enum Split { TRAIN, TEST }
}
