package headwise.engine.analysis.importance;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The scalar L whose gradient with respect to the head gates is the gradient importance.
 *
 * @param kind     what L is
 * @param position output row for {@link Kind#HIDDEN_SUM}
 * @param id       class id for {@link Kind#CLASS_LOG_PROB}
 */
public record Objective(Kind kind, int position, int id) {

    public enum Kind {
        /**
         * Causal LM: mean NLL of ids 1..T−1 predicted at positions 0..T−2; an id of −1 (an image position of a joined
         * vision-language input) is not a target and leaves the mean.
         */
        NEXT_TOKEN_NLL,
        /** Bidirectional LM head (masked LM): mean NLL of each position's own id. */
        SAME_TOKEN_NLL,
        /** Classifier: log p(class {@code id}). */
        CLASS_LOG_PROB,
        /** Sum of the final hidden state at {@code position} (bare encoders: e.g. CLS, position 0). */
        HIDDEN_SUM,
        /** One entry of the raw output: logit {@code id} at {@code position}, class {@code id} (position 0), or hidden dimension {@code id}. */
        OUTPUT_ENTRY
    }

    public static Objective nextTokenNll() {
        return new Objective(Kind.NEXT_TOKEN_NLL, -1, -1);
    }

    public static Objective classLogProb(int classId) {
        return new Objective(Kind.CLASS_LOG_PROB, 0, classId);
    }

    public static Objective outputEntry(int position, int id) {
        return new Objective(Kind.OUTPUT_ENTRY, position, id);
    }

    public static Objective hiddenSum(int position) {
        return new Objective(Kind.HIDDEN_SUM, position, -1);
    }

    /**
     * The default for a model: next-token NLL (causal LMs), own-token NLL (masked LMs), log-prob of the predicted
     * class (classifiers, from {@code cleanOutput} [1, 1, classes]), sum of the CLS hidden state (bare encoders).
     */
    public static Objective defaultFor(ModelSpec spec, ModelWeights weights, INDArray cleanOutput) {
        return switch (Readout.of(spec, weights)) {
            case NEXT_TOKEN -> nextTokenNll();
            case SAME_TOKEN -> new Objective(Kind.SAME_TOKEN_NLL, -1, -1);
            case CLASS -> classLogProb(cleanOutput.get(point(0), point(0), all()).argMax().getInt(0));
            case HIDDEN -> hiddenSum(0);
        };
    }

    /** L evaluated (in float64) on a model output [1, rows, width] for the input {@code ids}. */
    public double evaluate(INDArray output, int[] ids) {
        double[][] x = rows(output);
        return switch (kind) {
            case NEXT_TOKEN_NLL, SAME_TOKEN_NLL -> {
                double sum = 0;
                int n = 0;
                for (int t = 0; t < x.length; t++) {
                    int y = kind == Kind.NEXT_TOKEN_NLL ? (t + 1 < ids.length ? ids[t + 1] : -1) : ids[t];
                    if (y >= 0) {
                        sum -= logSoftmax(x[t], y);
                        n++;
                    }
                }
                yield n == 0 ? Double.NaN : sum / n;
            }
            case CLASS_LOG_PROB -> logSoftmax(x[0], id);
            case HIDDEN_SUM -> java.util.Arrays.stream(x[position]).sum();
            case OUTPUT_ENTRY -> x[position][id];
        };
    }

    /**
     * L in words, for the Importance page and metrics.json.
     *
     * @param ids the ids L is scored against (as {@link #evaluate} takes them), or null: when some are left out
     *            ({@link LossTargets#NONE}, a joined input's image positions) the NLL says it covers text targets only
     */
    public String describe(int[] ids) {
        String over = ids != null && java.util.Arrays.stream(ids).anyMatch(id -> id == LossTargets.NONE)
                ? " over text targets (image positions left out)" : "";
        return switch (kind) {
            case NEXT_TOKEN_NLL -> "mean next-token NLL" + over;
            case SAME_TOKEN_NLL -> "mean own-token NLL" + over;
            case CLASS_LOG_PROB -> "log p(class " + id + ")";
            case HIDDEN_SUM -> "sum of the final hidden state at position " + position;
            case OUTPUT_ENTRY -> "output " + id + " at position " + position;
        };
    }

    private static double[][] rows(INDArray output) {
        int rows = (int) output.size(1);
        int width = (int) output.size(2);
        double[] flat = output.get(point(0), all(), all()).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] x = new double[rows][width];
        for (int t = 0; t < rows; t++) {
            System.arraycopy(flat, t * width, x[t], 0, width);
        }
        return x;
    }

    private static double logSoftmax(double[] row, int index) {
        double max = java.util.Arrays.stream(row).max().orElse(0);
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v - max);
        }
        return row[index] - max - Math.log(sum);
    }
}
