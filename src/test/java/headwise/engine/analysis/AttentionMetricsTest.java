package headwise.engine.analysis;

import headwise.engine.run.AttentionMaps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-computed examples for every attention metric. */
class AttentionMetricsTest {

    private static final double EPS = 1e-7;
    private static final double LN2 = Math.log(2);

    /** Layer 0: M (causal, mixed); layer 1: the identity. One head, T = 3. */
    static AttentionMaps mAndIdentity() {
        return maps(new float[][][] {
                {{1, 0, 0}, {0.5f, 0.5f, 0}, {0.25f, 0.25f, 0.5f}},
                {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}});
    }

    /** One head per layer; m[layer][query][key]. */
    static AttentionMaps maps(float[][][] m) {
        int t = m[0].length;
        float[] v = new float[m.length * t * t];
        for (int l = 0; l < m.length; l++) {
            for (int i = 0; i < t; i++) {
                System.arraycopy(m[l][i], 0, v, (l * t + i) * t, t);
            }
        }
        return new AttentionMaps(m.length, 1, t, v);
    }

    @Test
    void entropyIsMeanRowEntropyInNats() {
        double[][] h = AttentionStatistics.entropy(mAndIdentity());
        // rows: 0, ln 2, −(2·¼ ln ¼ + ½ ln ½) = 1.5 ln 2
        assertEquals(2.5 * LN2 / 3, h[0][0], EPS);
        assertEquals(0, h[1][0], EPS, "0·ln 0 = 0");
        double[][] normalised = AttentionStatistics.normalisedEntropy(mAndIdentity(), true);
        assertEquals((LN2 / LN2 + 1.5 * LN2 / Math.log(3)) / 3, normalised[0][0], EPS);
    }

    @Test
    void confidenceIsMeanRowMax() {
        double[][] c = AttentionStatistics.confidence(mAndIdentity());
        assertEquals((1 + 0.5 + 0.5) / 3, c[0][0], EPS);
        assertEquals(1, c[1][0], EPS);
    }

    @Test
    void prevTokenIsSubdiagonalMassOverAllMass() {
        double[][] p = AttentionStatistics.previousToken(mAndIdentity());
        assertEquals((0.5 + 0.25) / 3, p[0][0], EPS);
        assertEquals(0, p[1][0], EPS);
    }

    @Test
    void meanDistanceIsInTokenPositions() {
        double[][] d = AttentionStatistics.meanDistance(mAndIdentity());
        // rows: 0, ½·1, ¼·2 + ¼·1
        assertEquals((0 + 0.5 + 0.75) / 3, d[0][0], EPS);
        assertEquals(0, d[1][0], EPS);
    }

    @Test
    void sinkScoreCausalAveragesOverQueriesThatSeeTheKey() {
        double[][][] s = Sinks.scores(mAndIdentity(), true);
        assertArrayEquals(new double[] {1.75 / 3, 0.75 / 2, 0.5 / 1}, s[0][0], EPS);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 2, 1.0}, s[1][0], EPS);
    }

    @Test
    void sinkScoreBidirectionalAveragesOverAllQueries() {
        AttentionMaps a = maps(new float[][][] {{{0.5f, 0.5f, 0}, {0.9f, 0, 0.1f}, {0.2f, 0.2f, 0.6f}}});
        double[][][] s = Sinks.scores(a, false);
        assertArrayEquals(new double[] {1.6 / 3, 0.7 / 3, 0.7 / 3}, s[0][0], 1e-6);
    }

    @Test
    void sinkRateIsPercentOfHeadsAboveEpsilon() {
        double[][][] s = Sinks.scores(mAndIdentity(), true);
        // scores: layer 0 [0.583, 0.375, 0.5], layer 1 [0.333, 0.5, 1]
        assertArrayEquals(new double[] {50, 50, 100}, Sinks.rate(s, 0.4), 0);
        assertArrayEquals(new double[] {100, 100, 100}, Sinks.rate(s, 0.3), 0);
        assertArrayEquals(new double[] {0, 0, 50}, Sinks.rate(s, 0.6), 0);
        // hidden sinks: j > 0 above α = 0.4
        var hidden = Sinks.hidden(s, 0.4);
        assertEquals(3, hidden.size());
        assertEquals(new Sinks.HiddenSink(0, 0, 2, 0.5), hidden.get(0));
    }

    @Test
    void firstTokenMassPerLayer() {
        assertArrayEquals(new double[] {1.75 / 3, 1.0 / 3}, Sinks.firstTokenMass(mAndIdentity()), EPS);
    }

    @Test
    void layerSimilarityIsCosineOfFlattenedHeadAverages() {
        double[][] sim = LayerSimilarity.of(mAndIdentity());
        // M·I = 1 + ½ + ½ = 2, |M|² = 1.875, |I|² = 3
        double expected = 2 / Math.sqrt(1.875 * 3);
        assertEquals(1, sim[0][0], EPS);
        assertEquals(1, sim[1][1], EPS);
        assertEquals(expected, sim[0][1], EPS);
        assertEquals(expected, sim[1][0], EPS);
    }

    @Test
    void layerSimilarityAveragesHeadsFirst() {
        // two heads whose mean is the identity's rows ½(e0 + e1)… vs a head equal to that mean: cosine 1
        float[] v = {1, 0, 0, 1, /* head 1 */ 0, 1, 1, 0, /* layer 1 */ 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        double[][] sim = LayerSimilarity.of(new AttentionMaps(2, 2, 2, v));
        assertEquals(1, sim[0][1], EPS);
    }

    @Test
    void rolloutOfIdentityAttentionIsIdentity() {
        AttentionMaps identity = maps(new float[][][] {
                {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
                {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
                {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}});
        Rollout rollout = Rollout.of(identity);
        double[][] full = rollout.full();
        for (int i = 0; i < 4; i++) {
            double[] expected = new double[4];
            expected[i] = 1;
            assertArrayEquals(expected, full[i], EPS);
            assertArrayEquals(expected, rollout.row(i), EPS);
        }
    }

    @Test
    void rolloutMultipliesLaterLayersOnTheLeft() {
        // layer 0 = M, layer 1 = P; R = Â² Â¹ with Â = ½(A + I)
        AttentionMaps a = maps(new float[][][] {
                {{1, 0, 0}, {0.5f, 0.5f, 0}, {0.25f, 0.25f, 0.5f}},
                {{1, 0, 0}, {0, 1, 0}, {0, 0.5f, 0.5f}}});
        Rollout rollout = Rollout.of(a);
        double[][] full = rollout.full();
        assertArrayEquals(new double[] {1, 0, 0}, full[0], EPS);
        assertArrayEquals(new double[] {0.25, 0.75, 0}, full[1], EPS);
        // Â²₂ = [0, ¼, ¾]; row 2 = ¼·Â¹₁ + ¾·Â¹₂ = ¼[¼,¾,0] + ¾[⅛,⅛,¾]
        assertArrayEquals(new double[] {0.15625, 0.28125, 0.5625}, full[2], EPS);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(full[i], rollout.row(i), EPS, "row " + i + " matches the full product");
        }
        assertArrayEquals(new double[] {0.125, 0.125, 0.75}, rollout.row(2, 1), EPS, "through layer 0 only: Â¹");
    }

    @Test
    void rolloutRenormalisesRowsAndAveragesHeads() {
        // one layer, two heads: rows summing to 0.5 (after an intervention, say) are renormalised
        float[] v = {0.5f, 0, 0, 0.5f, /* head 1 */ 0.5f, 0, 0.5f, 0};
        Rollout rollout = Rollout.of(new AttentionMaps(1, 2, 2, v));
        // Ā = [[½, 0], [¼, ¼]]; ½(Ā + I) = [[¾, 0], [⅛, ⅝]] → rows / sum: [[1, 0], [⅙, ⅚]]
        assertArrayEquals(new double[] {1, 0}, rollout.row(0), EPS);
        assertArrayEquals(new double[] {1.0 / 6, 5.0 / 6}, rollout.row(1), EPS);
        assertArrayEquals(new double[] {1.0 / 6, 5.0 / 6}, rollout.full()[1], EPS);
    }
}
