package headwise.engine.analysis.heads;

import headwise.engine.model.Transformer;
import headwise.engine.run.Generation;
import headwise.engine.run.Generator;

import java.util.ArrayList;
import java.util.List;

/**
 * Retrieval score of every head (METHODS.md, Head types; Wu et al. 2024, "Retrieval Head"): decode greedily from a
 * {@link NeedlePrompt}; at each step, for each head, take the key it attends to most from the query that chose the
 * token, {@code j* = argmax_j A_{q,j}} (ties: the first); if j* lies in the needle span [s, e) and the token
 * generated equals the token at j*, the head gains {@code 1/(e − s)}. A head that copies the whole needle token by
 * token scores 1. Heads above {@link #DEFAULT_THRESHOLD} are retrieval heads.
 *
 * @param scores    [layer][head]
 * @param generated the ids decoded (the stop token included if one ended the run)
 * @param copied    generated tokens that equal some needle token (how much of the needle the model reproduced)
 */
public record RetrievalScore(double[][] scores, int[] generated, int needleStart, int needleEnd, int copied) {

    /** Wu et al.'s threshold for a retrieval head. */
    public static final double DEFAULT_THRESHOLD = 0.1;

    /**
     * @param maxNew tokens to decode; 0 = the needle's length
     * @param stopIds ids that end decoding (EOS)
     */
    public static RetrievalScore compute(Transformer transformer, NeedlePrompt prompt, int maxNew, int... stopIds) {
        int steps = maxNew > 0 ? maxNew : prompt.needleLength();
        Generation g = Generator.generate(transformer, prompt.ids(),
                new Generator.Settings(steps, stopIds, true, false, false));
        return score(g, prompt);
    }

    /** The scores of a generation that kept its attention rows, on the prompt it started from. */
    public static RetrievalScore score(Generation g, NeedlePrompt prompt) {
        int[] ids = prompt.ids();
        int s = prompt.needleStart();
        int e = prompt.needleEnd();
        double gain = 1.0 / (e - s);
        int layers = g.attention().isEmpty() ? 0 : g.attention().get(0).layers();
        int heads = g.attention().isEmpty() ? 0 : g.attention().get(0).heads();
        double[][] scores = new double[layers][heads];
        int copied = 0;
        for (int k = 0; k < g.ids().length; k++) {
            int token = g.ids()[k];
            for (int j = s; j < e; j++) {
                if (ids[j] == token) {
                    copied++;
                    break;
                }
            }
            Generation.StepAttention a = g.attention().get(k);
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    int best = 0;
                    float max = a.get(l, h, 0);
                    for (int j = 1; j < a.keys(); j++) {
                        float x = a.get(l, h, j);
                        if (x > max) {
                            max = x;
                            best = j;
                        }
                    }
                    if (best >= s && best < e && ids[best] == token) {
                        scores[l][h] += gain;
                    }
                }
            }
        }
        return new RetrievalScore(scores, g.ids(), s, e, copied);
    }

    /** Heads scoring above {@code threshold}, as {layer, head}, in layer, head order. */
    public List<int[]> heads(double threshold) {
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                if (scores[l][h] > threshold) {
                    out.add(new int[] {l, h});
                }
            }
        }
        return out;
    }
}
