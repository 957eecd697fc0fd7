package headwise.engine.analysis.relevance;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.importance.Readout;
import headwise.engine.run.Matrix;

/**
 * The scalar a relevance map explains: output {@code id} at output row {@code position} (a token's logit at a
 * position for language models, a class logit for classifiers with position 0, a hidden dimension for bare
 * encoders).
 */
public record RelevanceTarget(int position, int id) {

    /**
     * Fills in and checks a requested target against the model's output [rows, width]: position default the last
     * token (language models) or 0 (CLS: classifiers, bare encoders); id default the largest output in that row.
     *
     * @param position requested output row, or null
     * @param id       requested token id / class / dimension, or null
     */
    public static RelevanceTarget resolve(Readout readout, Matrix output, Integer position, Integer id) {
        int row;
        if (readout == Readout.CLASS) {
            if (position != null && position != 0) {
                throw new HeadwiseException("--position does not apply to a classifier (its one output is the class logits)");
            }
            row = 0;
        } else {
            row = position != null ? position : readout == Readout.HIDDEN ? 0 : output.rows() - 1;
            if (row < 0 || row >= output.rows()) {
                throw new HeadwiseException("position " + row + " is outside the input (0.." + (output.rows() - 1) + ")");
            }
        }
        int width = output.cols();
        if (id != null && (id < 0 || id >= width)) {
            String what = switch (readout) {
                case CLASS -> "class " + id + " is outside the classifier's " + width + " classes";
                case HIDDEN -> "output dimension " + id + " is outside the hidden width " + width;
                default -> "target id " + id + " is outside the vocabulary (" + width + " tokens)";
            };
            throw new HeadwiseException(what);
        }
        return new RelevanceTarget(row, id != null ? id : argmax(output, row));
    }

    /** The largest output's index in {@code row}. */
    public static int argmax(Matrix output, int row) {
        int best = 0;
        float[] v = output.values();
        int width = output.cols();
        for (int c = 1; c < width; c++) {
            if (v[row * width + c] > v[row * width + best]) {
                best = c;
            }
        }
        return best;
    }
}
