package headwise.engine.analysis.flow;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.flow.ContributionGraph.Edge;
import headwise.engine.analysis.flow.ContributionGraph.Kind;
import headwise.engine.analysis.flow.ContributionGraphs.MlpFold;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contributions and routes on {@link CopyFirstTokenModel}, and the threshold, fold and trace on hand-made shares. */
class ContributionGraphTest {

    private static final int[] IDS = {3, 5, 1, 6, 2, 7};
    private static LoadedModel model;
    private static ModelInput input;

    @BeforeAll
    static void load() {
        model = CopyFirstTokenModel.loaded();
        input = ModelInput.fromIds(model, IDS);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void headCopyingTokenZeroContributesFourSixths() {
        Contributions c = Contributions.compute(model, input, true);
        double eps = Contributions.EPSILON;
        for (int i = 0; i < IDS.length; i++) {
            double whole = 6 + eps * i;
            assertEquals(4 / whole, c.attention(0, i, 0), 1e-6, "token 0 → " + i);
            assertEquals(2 / whole, c.residual()[0][i], 1e-6, "residual of " + i);
            assertEquals(4 / whole, c.perHead()[0][0][i * IDS.length], 1e-6);
            for (int j = 1; j <= i; j++) {
                assertEquals(eps / whole, c.attention(0, i, j), 1e-9, "an unattended key counts ε");
            }
            for (int j = i + 1; j < IDS.length; j++) {
                assertEquals(0, c.attention(0, i, j), 0, "a later key is no part");
            }
            // the MLP writes nothing: its share is ε / (ε + ||resid_post||₁)
            assertEquals(eps / (eps + 6), c.mlp()[0][i], 1e-9);
        }
    }

    @Test
    void routeFromTheLastTokenGoesToTokenZero() {
        int last = IDS.length - 1;
        ContributionGraph g = ContributionGraphs.compute(model, input, last, ContributionGraphs.DEFAULT_THRESHOLD);
        assertEquals(1, g.layers());
        assertEquals(IDS.length, g.tokens());
        assertEquals(last, g.target());
        assertEquals(2, g.edges().size(), g.edges().toString());
        Edge attention = g.edges().get(0);
        assertEquals(new Edge(1, 0, last, attention.weight(), Kind.ATTENTION), attention);
        assertEquals(2.0 / 3, attention.weight(), 1e-5);
        Edge residual = g.edges().get(1);
        assertEquals(new Edge(1, last, last, residual.weight(), Kind.RESIDUAL), residual);
        assertEquals(1.0 / 3, residual.weight(), 1e-5);

        ContributionGraph all = ContributionGraphs.compute(model, input, -1, ContributionGraphs.DEFAULT_THRESHOLD);
        assertEquals(2 * IDS.length, all.edges().size(), "every token: from token 0 and its own residual");
        for (Edge e : all.edges()) {
            assertEquals(e.kind() == Kind.ATTENTION ? 0 : e.toToken(), e.fromToken());
        }
    }

    @Test
    void valueNormOfTheCopyIsFour() {
        ValueNorms n = ValueNorms.compute(model, input);
        for (int i = 0; i < IDS.length; i++) {
            assertEquals(4, n.perHead(0, 0, i, 0), 1e-5);
            assertEquals(4, n.summed(0, i, 0), 1e-5);
            for (int j = 1; j < IDS.length; j++) {
                assertEquals(0, n.summed(0, i, j), 1e-6);
            }
            assertEquals(4, n.norms()[0][0][i], 1e-5, "||f(x_j)|| is 4 for every token");
        }
    }

    /** Mistral's sliding window (4): keys a query cannot see are no parts; the shares of every query sum to 1. */
    @Test
    void slidingWindowKeysOutsideTheWindowAreNoParts() {
        try (LoadedModel mistral = headwise.engine.load.ModelLoader.load(headwise.engine.Fixtures.model("mistral_window_f32").toString())) {
            ModelInput ids = ModelInput.fromIds(mistral, headwise.engine.Fixtures.inputIds("mistral_window_f32"));
            Contributions c = Contributions.compute(mistral, ids, true);
            int t = ids.length();
            for (int l = 0; l < c.layers(); l++) {
                for (int i = 0; i < t; i++) {
                    double sum = c.residual()[l][i];
                    for (int j = 0; j < t; j++) {
                        boolean visible = j <= i && i - j < 4;
                        if (!visible) {
                            assertEquals(0, c.attention(l, i, j), 0, "layer " + l + ": " + j + " → " + i);
                        } else {
                            assertTrue(c.attention(l, i, j) > 0);
                        }
                        sum += c.attention(l, i, j);
                    }
                    assertEquals(1, sum, 1e-5, "shares of query " + i);
                    assertEquals(1, c.mlp()[l][i] + c.mlpResidual()[l][i], 1e-6);
                }
            }
        }
    }

    /**
     * Two layers, three tokens, made-up shares. Layer 1: token 2 draws 0.5 from token 0, 0.03 from token 1 and 0.47
     * from its residual; its MLP takes 0.2. Layer 2 likewise with other numbers.
     */
    static Contributions handMade() {
        int t = 3;
        float[][] attention = new float[2][t * t];
        float[][] residual = new float[2][t];
        float[][] mlp = new float[2][t];
        float[][] mlpResidual = new float[2][t];
        float[][] att = {
                {0, 0, 0, 0.6f, 0, 0, 0.5f, 0.03f, 0},
                {0, 0, 0, 0.02f, 0, 0, 0.1f, 0.7f, 0}};
        float[][] res = {{1, 0.4f, 0.47f}, {1, 0.98f, 0.2f}};
        float[][] m = {{0, 0.5f, 0.2f}, {0.9f, 0, 0.5f}};
        for (int l = 0; l < 2; l++) {
            attention[l] = att[l];
            residual[l] = res[l];
            mlp[l] = m[l];
            for (int i = 0; i < t; i++) {
                mlpResidual[l][i] = 1 - m[l][i];
            }
        }
        return new Contributions(2, 1, t, attention, null, residual, mlp, mlpResidual);
    }

    @Test
    void theMlpShareFoldsIntoTheResidualEdge() {
        Contributions c = handMade();
        double[] local = ContributionGraphs.blockWeights(c, 1, 2, MlpFold.TOKEN_LOCAL);
        assertEquals(0.8 * 0.5, local[0], 1e-6);
        assertEquals(0.8 * 0.03, local[1], 1e-6);
        assertEquals(0, local[2], 0);
        assertEquals(0.8 * 0.47 + 0.2, local[3], 1e-6);
        double[] proportional = ContributionGraphs.blockWeights(c, 1, 2, MlpFold.PROPORTIONAL);
        assertEquals(0.5, proportional[0], 1e-6);
        assertEquals(0.47, proportional[3], 1e-6);
        for (MlpFold fold : MlpFold.values()) {
            for (int l = 1; l <= 2; l++) {
                for (int i = 0; i < 3; i++) {
                    double sum = java.util.Arrays.stream(ContributionGraphs.blockWeights(c, l, i, fold)).sum();
                    assertEquals(1, sum, 1e-6, "incoming weights sum to 1");
                }
            }
        }
    }

    @Test
    void thresholdRenormalisesAndTracesBack() {
        Contributions c = handMade();
        // layer 2, token 2 (TOKEN_LOCAL): from 0: 0.5·0.1 = 0.05, from 1: 0.5·0.7 = 0.35, residual 0.5·0.2 + 0.5 = 0.6
        ContributionGraph g = ContributionGraphs.graph(c, 2, 0.04, MlpFold.TOKEN_LOCAL);
        // layer 1 nodes reached: 0, 1, 2. Token 1: from 0: 0.5·0.6 = 0.3, residual 0.5·0.4 + 0.5 = 0.7.
        // token 2: from 0: 0.4, from 1: 0.024 (dropped), residual 0.576 → renormalised over 0.976.
        // token 0: only its residual (1).
        List<Edge> expected = List.of(
                new Edge(1, 0, 0, 1.0, Kind.RESIDUAL),
                new Edge(1, 0, 1, 0.3, Kind.ATTENTION),
                new Edge(1, 1, 1, 0.7, Kind.RESIDUAL),
                new Edge(1, 0, 2, 0.4 / 0.976, Kind.ATTENTION),
                new Edge(1, 2, 2, 0.576 / 0.976, Kind.RESIDUAL),
                new Edge(2, 0, 2, 0.05, Kind.ATTENTION),
                new Edge(2, 1, 2, 0.35, Kind.ATTENTION),
                new Edge(2, 2, 2, 0.6, Kind.RESIDUAL));
        assertEdges(expected, g.edges());

        // a higher threshold cuts token 0's attention at layer 2, so layer 1 is reached only at tokens 1 and 2
        ContributionGraph cut = ContributionGraphs.graph(c, 2, 0.06, MlpFold.TOKEN_LOCAL);
        assertEdges(List.of(
                new Edge(1, 0, 1, 0.3, Kind.ATTENTION),
                new Edge(1, 1, 1, 0.7, Kind.RESIDUAL),
                new Edge(1, 0, 2, 0.4 / 0.976, Kind.ATTENTION),
                new Edge(1, 2, 2, 0.576 / 0.976, Kind.RESIDUAL),
                new Edge(2, 1, 2, 0.35 / 0.95, Kind.ATTENTION),
                new Edge(2, 2, 2, 0.6 / 0.95, Kind.RESIDUAL)), cut.edges());

        // tracing from token 0 sees only its residual stream
        assertEdges(List.of(new Edge(1, 0, 0, 1, Kind.RESIDUAL), new Edge(2, 0, 0, 1, Kind.RESIDUAL)),
                ContributionGraphs.graph(c, 0, 0.04, MlpFold.TOKEN_LOCAL).edges());
        assertTrue(ContributionGraphs.graph(c, -1, 0.04, MlpFold.PROPORTIONAL).edges().stream()
                .anyMatch(e -> e.toLayer() == 2 && e.fromToken() == 1 && e.toToken() == 2 && Math.abs(e.weight() - 0.7) < 1e-6));
    }

    @Test
    void rejectsBadTargetsAndThresholds() {
        Contributions c = handMade();
        assertThrows(HeadwiseException.class, () -> ContributionGraphs.graph(c, 3, 0.04, MlpFold.TOKEN_LOCAL));
        assertThrows(HeadwiseException.class, () -> ContributionGraphs.graph(c, -2, 0.04, MlpFold.TOKEN_LOCAL));
        assertThrows(HeadwiseException.class, () -> ContributionGraphs.graph(c, 0, 1.5, MlpFold.TOKEN_LOCAL));
    }

    private static void assertEdges(List<Edge> expected, List<Edge> actual) {
        assertEquals(expected.size(), actual.size(), actual.toString());
        for (int k = 0; k < expected.size(); k++) {
            Edge e = expected.get(k);
            Edge a = actual.get(k);
            assertEquals(List.of(e.toLayer(), e.fromToken(), e.toToken(), e.kind()),
                    List.of(a.toLayer(), a.fromToken(), a.toToken(), a.kind()), "edge " + k + " of " + actual);
            assertEquals(e.weight(), a.weight(), 1e-6, "weight of edge " + k);
        }
    }
}
