package headwise.engine.analysis.probe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An attentive probe on one block's token states: the states are standardised per feature with the mean and
 * population standard deviation over all tokens of the training split; a seeded part of each class of the training
 * split is held out for early stopping, the rest fits the probe ({@link AttentiveTraining}); it is scored on the test
 * split like the linear probe (two classes: the logit difference z₁ − z₀ ranks for the AUC).
 */
final class AttentiveProbing {

    /**
     * @param score     on the test split
     * @param attention [M][T] the trained probe's attention over the tokens of the chosen example, or null
     */
    record Layer(ProbeScore score, double[][] attention) {
    }

    private AttentiveProbing() {
    }

    /**
     * @param tokens  [n][T_i·width] every example's token states at this block
     * @param layer   −1 for the embedding, else the block (seeds the probe's start)
     * @param example the example whose attention is returned, or −1
     */
    static Layer probe(float[][] tokens, int width, ProbeLabels labels, ProbeSplit split, AttentiveTraining.Settings settings,
                       long seed, int layer, int example) {
        float[][] trainingTokens = trainingTokens(tokens, width, split.train());
        Standardizer standardizer = Standardizer.fit(trainingTokens, java.util.stream.IntStream.range(0, trainingTokens.length).toArray());
        int[][] parts = holdOut(split.train(), labels, settings.validationFraction(), seed);
        AttentiveProbe probe = new AttentiveProbe(width, settings.queries(), labels.count());
        double[] initial = probe.initial(new Random(seed * 1_000_003L + layer + 1));
        AttentiveTraining.Trained trained = AttentiveTraining.train(probe, initial,
                states(tokens, standardizer, parts[0]), labels.classes(parts[0]),
                states(tokens, standardizer, parts[1]), labels.classes(parts[1]), settings);
        double[] p = trained.parameters();
        double[][] logits = probe.logits(p, states(tokens, standardizer, split.test()));
        int[] predicted = new int[logits.length];
        double[][] scores = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            double[] z = logits[i];
            predicted[i] = AttentiveProbe.predict(z);
            if (labels.count() == 2) {
                scores[i] = new double[] {z[1] - z[0]};
            } else {
                AttentiveProbe.softmaxInPlace(z);
                scores[i] = z;
            }
        }
        ProbeScore score = ProbeScore.of(labels.classes(split.test()), predicted, scores, labels.count());
        double[][] attention = example < 0 ? null : probe.attention(p, standardizer.applyTokens(tokens[example]));
        return new Layer(score, attention);
    }

    /**
     * Splits the training examples into [fitting, held out]: per class (in label order) its training examples are
     * shuffled with one {@code new Random(seed)} and max(1, round(fraction·n)) are held out; both lists ascending.
     */
    static int[][] holdOut(int[] train, ProbeLabels labels, double fraction, long seed) {
        Random random = new Random(seed);
        List<Integer> fit = new ArrayList<>();
        List<Integer> heldOut = new ArrayList<>();
        for (int k = 0; k < labels.count(); k++) {
            List<Integer> members = new ArrayList<>();
            for (int i : train) {
                if (labels.classOf()[i] == k) {
                    members.add(i);
                }
            }
            Collections.shuffle(members, random);
            int held = Math.max(1, (int) Math.round(fraction * members.size()));
            heldOut.addAll(members.subList(0, held));
            fit.addAll(members.subList(held, members.size()));
        }
        Collections.sort(fit);
        Collections.sort(heldOut);
        return new int[][] {fit.stream().mapToInt(Integer::intValue).toArray(), heldOut.stream().mapToInt(Integer::intValue).toArray()};
    }

    private static double[][][] states(float[][] tokens, Standardizer standardizer, int[] rows) {
        double[][][] out = new double[rows.length][][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = standardizer.applyTokens(tokens[rows[r]]);
        }
        return out;
    }

    /** Every token state of the training examples, one row each (the standardiser's statistics are over tokens). */
    private static float[][] trainingTokens(float[][] tokens, int width, int[] train) {
        List<float[]> rows = new ArrayList<>();
        for (int i : train) {
            for (int t = 0; t < tokens[i].length / width; t++) {
                rows.add(java.util.Arrays.copyOfRange(tokens[i], t * width, (t + 1) * width));
            }
        }
        return rows.toArray(new float[0][]);
    }
}
