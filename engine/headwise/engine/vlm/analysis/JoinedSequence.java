package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.vlm.TokenClasses;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * What every vision-language analysis runs on: a causal decoder, the embedded joined sequence [1, T, d] (text
 * embeddings with the projected image features in the image run) and the class of every position.
 * Removing positions (the image for VHD, pruned patches for FlowCut) drops their rows; the decoder's rotary positions
 * are the row indices, so the positions after a removed run move up as if it had never been there (what the model
 * sees when the image is absent or the tokens were never produced). A decoder with learned absolute positions would
 * carry the old positions inside the rows, so it is refused.
 */
public record JoinedSequence(Transformer decoder, INDArray embedded, TokenClasses classes) {

    public JoinedSequence {
        var spec = decoder.spec();
        if (embedded.rank() != 3 || embedded.size(0) != 1 || embedded.size(2) != spec.dModel()) {
            throw new HeadwiseException("the joined sequence must be embeddings [1, T, " + spec.dModel() + "], is "
                    + Arrays.toString(embedded.shape()));
        }
        if (embedded.size(1) != classes.length()) {
            throw new HeadwiseException("the joined sequence has " + embedded.size(1) + " positions but its token classes "
                    + classes.length());
        }
        if (!spec.causal()) {
            throw new HeadwiseException("vision-language analyses need a causal decoder; " + spec.architecture() + " is bidirectional");
        }
        if (decoder.weights().positionEmbed() != null) {
            throw new HeadwiseException(spec.architecture() + " adds learned positions to its embeddings; removing image "
                    + "positions needs a rotary-position decoder");
        }
    }

    public int length() {
        return classes.length();
    }

    /** Every image position, ascending: any off the grid (the tower's CLS) first, then the grid row-major. */
    public int[] imagePositions() {
        return classes.imagePositions();
    }

    /** Runs the decoder on the whole sequence. */
    public Transformer.Result run(Hooks hooks) {
        return decoder.runFromEmbeddings(embedded, hooks);
    }

    /** The positions kept when {@code removed} are dropped, ascending. */
    public int[] keptWithout(int[] removed) {
        boolean[] drop = new boolean[length()];
        for (int p : removed) {
            if (p < 0 || p >= drop.length) {
                throw new HeadwiseException("position " + p + " is outside the " + drop.length + "-position sequence");
            }
            drop[p] = true;
        }
        return IntStream.range(0, drop.length).filter(p -> !drop[p]).toArray();
    }

    /** The embeddings of {@code kept} positions, in order: [1, kept, d]. */
    public INDArray rows(int[] kept) {
        return stack(new int[][] {kept});
    }

    /** One batch of equally long position lists: [batch, kept, d] (the decoder runs them together). */
    public INDArray stack(int[][] keptPerRow) {
        int d = (int) embedded.size(2);
        int t = length();
        int length = keptPerRow[0].length;
        float[] all = Ops.floats(embedded);
        float[] out = new float[keptPerRow.length * length * d];
        for (int b = 0; b < keptPerRow.length; b++) {
            if (keptPerRow[b].length != length) {
                throw new IllegalArgumentException("rows of one batch must keep the same number of positions");
            }
            for (int n = 0; n < length; n++) {
                int p = keptPerRow[b][n];
                if (p < 0 || p >= t) {
                    throw new HeadwiseException("position " + p + " is outside the " + t + "-position sequence");
                }
                System.arraycopy(all, p * d, out, (b * length + n) * d, d);
            }
        }
        return Ops.fromFloats(out, keptPerRow.length, length, d);
    }
}
