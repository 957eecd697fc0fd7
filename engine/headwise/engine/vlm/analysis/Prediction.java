package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The model's prediction read at one output row: the target token's logit and softmax probability, and the top token.
 *
 * @param target      the token read
 * @param logit       its logit
 * @param probability its softmax probability (computed in double)
 * @param top         argmax of the row
 */
public record Prediction(int target, double logit, double probability, int top) {

    /** Reads row {@code row} of batch element {@code batch} of an output [batch, rows, vocab]; target −1 = the top token. */
    public static Prediction read(INDArray output, int batch, int row, int target) {
        float[] logits = logits(output, batch, row);
        int top = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < logits.length; v++) {
            if (logits[v] > max) {
                max = logits[v];
                top = v;
            }
        }
        int t = target < 0 ? top : target;
        if (t >= logits.length) {
            throw new HeadwiseException("target token " + t + " is outside the vocabulary of " + logits.length);
        }
        double z = 0;
        for (float v : logits) {
            z += Math.exp(v - max);
        }
        return new Prediction(t, logits[t], Math.exp(logits[t] - max) / z, top);
    }

    static float[] logits(INDArray output, int batch, int row) {
        return output.get(point(batch), point(row), all()).dup().data().asFloat();
    }

    /** A clear error unless the decoder ends in LM logits. */
    static void requireLogits(Transformer decoder, String what) {
        ModelSpec spec = decoder.spec();
        if (spec.output() != ModelSpec.Output.LM_LOGITS || decoder.weights().unembed() == null) {
            throw new HeadwiseException(what + ": " + spec.architecture() + " has no language-model head to read a prediction from");
        }
    }

    /** {@code position}, or the last row when null, checked against the sequence length. */
    static int row(Integer position, int length, String what) {
        int p = position == null ? length - 1 : position;
        if (p < 0 || p >= length) {
            throw new HeadwiseException(what + ": position " + p + " is outside 0.." + (length - 1));
        }
        return p;
    }
}
