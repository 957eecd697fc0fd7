package headwise.engine.analysis.flow;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.Rollout;
import headwise.engine.run.AttentionMaps;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attention flow on attention whose max-flow is known in closed form. */
class AttentionFlowTest {

    /** Random causal (or full) softmax-like rows. */
    static AttentionMaps random(int layers, int heads, int tokens, boolean causal, long seed) {
        Random r = new Random(seed);
        float[] values = new float[layers * heads * tokens * tokens];
        for (int m = 0; m < layers * heads; m++) {
            for (int i = 0; i < tokens; i++) {
                int end = causal ? i + 1 : tokens;
                double sum = 0;
                double[] row = new double[end];
                for (int j = 0; j < end; j++) {
                    row[j] = Math.exp(2 * r.nextGaussian());
                    sum += row[j];
                }
                for (int j = 0; j < end; j++) {
                    values[(m * tokens + i) * tokens + j] = (float) (row[j] / sum);
                }
            }
        }
        return new AttentionMaps(layers, heads, tokens, values);
    }

    static AttentionMaps identity(int layers, int heads, int tokens) {
        float[] values = new float[layers * heads * tokens * tokens];
        for (int m = 0; m < layers * heads; m++) {
            for (int i = 0; i < tokens; i++) {
                values[(m * tokens + i) * tokens + i] = 1;
            }
        }
        return new AttentionMaps(layers, heads, tokens, values);
    }

    @Test
    void identityAttentionKeepsEveryTokenToItself() {
        AttentionFlow flow = AttentionFlow.compute(identity(4, 2, 6));
        for (int o = 0; o < 6; o++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(o == j ? 1.0 : 0.0, flow.flow()[o][j], 1e-12, o + " -> " + j);
            }
        }
    }

    @Test
    void oneLayerFlowIsTheAugmentedAttention() {
        AttentionMaps a = random(1, 3, 7, true, 1);
        Rollout rollout = Rollout.of(a);
        AttentionFlow flow = AttentionFlow.compute(a);
        for (int o = 0; o < 7; o++) {
            for (int j = 0; j < 7; j++) {
                assertEquals(rollout.augmented(0, o, j), flow.flow()[o][j], 1e-9, o + " -> " + j);
            }
        }
    }

    /** Two layers: the paths o → (1, k) → j share no edge, so the max-flow is Σ_k min(Â²_ok, Â¹_kj). */
    @Test
    void twoLayerFlowIsTheSumOfPathBottlenecks() {
        for (boolean causal : new boolean[] {true, false}) {
            AttentionMaps a = random(2, 2, 9, causal, 2);
            Rollout rollout = Rollout.of(a);
            AttentionFlow flow = AttentionFlow.compute(a);
            for (int o = 0; o < 9; o++) {
                for (int j = 0; j < 9; j++) {
                    double expected = 0;
                    for (int k = 0; k < 9; k++) {
                        expected += Math.min(rollout.augmented(1, o, k), rollout.augmented(0, k, j));
                    }
                    assertEquals(expected, flow.flow()[o][j], 1e-9, "causal " + causal + ", " + o + " -> " + j);
                }
            }
        }
    }

    @Test
    void deeperFlowIsBoundedAndCausal() {
        AttentionMaps a = random(5, 2, 10, true, 3);
        AttentionFlow flow = AttentionFlow.compute(a);
        double[][] normalised = flow.normalisedRows();
        for (int o = 0; o < 10; o++) {
            double sum = 0;
            for (int j = 0; j < 10; j++) {
                double f = flow.flow()[o][j];
                assertTrue(f >= 0 && f <= 1 + 1e-9, "0 ≤ flow ≤ 1, got " + f);
                if (j > o) {
                    assertEquals(0.0, f, 0, "a causal output cannot reach a later token");
                }
                sum += normalised[o][j];
            }
            assertEquals(1.0, sum, 1e-9);
        }
        // the first token only ever sees itself: all its capacity reaches token 0
        assertEquals(1.0, flow.flow()[0][0], 1e-9);
    }

    /** Pruning to the nodes between output and input, and re-using one graph per row, change no value. */
    @Test
    void sameAsOneMaxFlowOnTheWholeGraph() {
        for (boolean causal : new boolean[] {true, false}) {
            int layers = 4;
            int tokens = 8;
            AttentionMaps a = random(layers, 2, tokens, causal, 6);
            Rollout rollout = Rollout.of(a);
            MaxFlow whole = new MaxFlow((layers + 1) * tokens);
            for (int l = 1; l <= layers; l++) {
                for (int i = 0; i < tokens; i++) {
                    for (int j = 0; j < tokens; j++) {
                        whole.addEdge(l * tokens + i, (l - 1) * tokens + j, rollout.augmented(l - 1, i, j));
                    }
                }
            }
            AttentionFlow flow = AttentionFlow.compute(a);
            for (int o = 0; o < tokens; o++) {
                for (int j = 0; j < tokens; j++) {
                    whole.reset();
                    assertEquals(whole.maxFlow(layers * tokens + o, j), flow.flow()[o][j], 1e-9, causal + ": " + o + " -> " + j);
                }
            }
        }
    }

    @Test
    void subgraphAndChosenOutputs() {
        AttentionMaps a = random(3, 2, 12, true, 4);
        AttentionFlow part = AttentionFlow.compute(a, 2, new int[] {9, 5}, 4, 10);
        assertEquals(2, part.flow().length);
        assertEquals(6, part.inputs());
        assertEquals(4, part.from());
        // a layer-1 output in a subgraph is still one edge deep
        Rollout rollout = Rollout.of(a);
        AttentionFlow first = AttentionFlow.compute(a, 1, new int[] {7}, 4, 10);
        for (int c = 0; c < 6; c++) {
            assertEquals(rollout.augmented(0, 7, 4 + c), first.flow()[0][c], 1e-9);
        }
    }

    @Test
    void refusesGraphsOverTheLimit() {
        AttentionMaps big = identity(1, 1, AttentionFlow.MAX_TOKENS + 1);
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> AttentionFlow.compute(big));
        assertTrue(e.getMessage().contains("at most " + AttentionFlow.MAX_TOKENS), e.getMessage());
        assertEquals(1.0, AttentionFlow.compute(big, 1, new int[] {3}, 0, AttentionFlow.MAX_TOKENS).flow()[0][3], 1e-12,
                "a range within the limit works");
        assertThrows(HeadwiseException.class, () -> AttentionFlow.compute(big, 2, new int[] {0}, 0, 4));
        assertThrows(HeadwiseException.class, () -> AttentionFlow.compute(big, 1, new int[] {5}, 0, 4));
    }
}
