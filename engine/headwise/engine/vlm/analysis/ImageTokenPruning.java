package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The prediction when the lowest-scoring image tokens are pruned (removed from the sequence, the positions after them
 * moving up), as a curve against the fraction kept, for two orders at once: FlowCut's score and a single layer's
 * attention. Kept count per fraction f: round(f·N); ties are pruned in position order. The two pruned sequences of one
 * fraction are equally long and run as one batch of two; the prediction is read at the last row (the row that was
 * last before pruning).
 *
 * @param fractions   the fractions asked for
 * @param kept        [fraction] image tokens kept
 * @param clean       the prediction of the whole sequence (the target is fixed from it)
 * @param byFlow      [fraction] pruning in FlowCut's order
 * @param byAttention [fraction] pruning in the attention baseline's order
 */
public record ImageTokenPruning(double[] fractions, int[] kept, Prediction clean, Prediction[] byFlow, Prediction[] byAttention) {

    /** 1, 0.9, …, 0.1, 0. */
    public static double[] defaultFractions() {
        return IntStream.rangeClosed(0, 10).mapToDouble(n -> (10 - n) / 10.0).toArray();
    }

    /**
     * @param flowScores      [image token] FlowCut's score (e.g. {@link ImageTokenFlow#cumulative()}, or the vision
     *                        tower's CLS attention row where the tower has a CLS: the CLS-relay criterion)
     * @param attentionScores [image token] the baseline's score (e.g. {@code ImageTokenFlow.attention()[layer]})
     * @param target          the token read; −1 = the clean top token
     */
    public static ImageTokenPruning compute(JoinedSequence sequence, double[] flowScores, double[] attentionScores,
                                            double[] fractions, int target) {
        Prediction.requireLogits(sequence.decoder(), "FlowCut pruning");
        int n = sequence.classes().imageCount();
        if (n == 0) {
            throw new HeadwiseException("FlowCut pruning: the sequence holds no image");
        }
        if (flowScores.length != n || attentionScores.length != n) {
            throw new HeadwiseException("FlowCut pruning: " + n + " image tokens but " + flowScores.length + " FlowCut and "
                    + attentionScores.length + " attention scores");
        }
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new HeadwiseException("FlowCut pruning: a fraction kept must be in [0, 1], is " + f);
            }
        }
        int last = sequence.length() - 1;
        if (sequence.classes().isImage(last)) {
            throw new HeadwiseException("FlowCut pruning: the prediction is read at the last position, which is an image patch");
        }
        Prediction clean = Prediction.read(sequence.run(Hooks.none()).output(), 0, last, target);
        int[] flowOrder = ascending(flowScores);
        int[] attentionOrder = ascending(attentionScores);
        int[] image = sequence.imagePositions();
        int[] kept = new int[fractions.length];
        Prediction[] byFlow = new Prediction[fractions.length];
        Prediction[] byAttention = new Prediction[fractions.length];
        for (int f = 0; f < fractions.length; f++) {
            kept[f] = (int) Math.round(fractions[f] * n);
            int[] flowKept = sequence.keptWithout(pruned(flowOrder, n - kept[f], image));
            int[] attentionKept = sequence.keptWithout(pruned(attentionOrder, n - kept[f], image));
            INDArray output = sequence.decoder().runFromEmbeddings(sequence.stack(new int[][] {flowKept, attentionKept}), Hooks.none()).output();
            int row = flowKept.length - 1;
            byFlow[f] = Prediction.read(output, 0, row, clean.target());
            byAttention[f] = Prediction.read(output, 1, row, clean.target());
        }
        return new ImageTokenPruning(fractions.clone(), kept, clean, byFlow, byAttention);
    }

    /** Image token indices from lowest to highest score (ties by index). */
    static int[] ascending(double[] scores) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> scores[j]).thenComparingInt(j -> j))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The sequence positions of the {@code count} first image tokens of {@code order}. */
    private static int[] pruned(int[] order, int count, int[] image) {
        return Arrays.stream(order, 0, count).map(j -> image[j]).toArray();
    }
}
