package headwise.engine.analysis;

import headwise.engine.load.LoadedModel;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics on {@link InductionModel}, whose heads do known things: previous token, first-token sink, induction, duplicate. */
class HandWiredModelTest {

    private static final int N = 10; // one copy of the random tokens
    private static LoadedModel model;
    private static int[] tokens; // BOS + 2 copies: T = 21
    private static AttentionMaps attention;

    @BeforeAll
    static void run() {
        model = InductionModel.loaded();
        tokens = HeadTypes.repeatedRandomTokens(InductionModel.VOCAB, N, 7, InductionModel.BOS);
        attention = HeadTypes.attention(model.transformer(), tokens);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theRepeatedSequenceIsBosThenTwoCopiesOfDistinctTokens() {
        assertEquals(2 * N + 1, tokens.length);
        assertEquals(InductionModel.BOS, tokens[0]);
        for (int n = 0; n < N; n++) {
            assertEquals(tokens[1 + n], tokens[1 + N + n]);
            assertTrue(tokens[1 + n] != InductionModel.BOS);
            for (int m = 0; m < n; m++) {
                assertTrue(tokens[1 + n] != tokens[1 + m], "distinct");
            }
        }
        assertArrayEquals(tokens, HeadTypes.repeatedRandomTokens(InductionModel.VOCAB, N, 7, InductionModel.BOS), "seeded");
    }

    @Test
    void theWiringDoesWhatItSays() {
        int t = tokens.length;
        for (int i = 1; i < t; i++) {
            assertEquals(1.0, attention.get(0, 0, i, i - 1), 1e-6, "previous token, row " + i);
            assertEquals(1.0, attention.get(0, 1, i, 0), 1e-6, "first token, row " + i);
            int induction = i > N ? i - N + 1 : 0;
            assertEquals(1.0, attention.get(1, 0, i, induction), 1e-4, "induction, row " + i);
            int duplicate = i > N ? i - N : 0;
            assertEquals(1.0, attention.get(1, 1, i, duplicate), 1e-4, "duplicate, row " + i);
        }
    }

    @Test
    void previousTokenHeadScoresOneOnPrevToken() {
        double[][] prev = AttentionStatistics.previousToken(attention);
        int t = tokens.length;
        assertEquals((t - 1.0) / t, prev[0][0], 1e-5, "all rows but the first (which has no previous token)");
        assertTrue(prev[0][1] < 0.1 && prev[1][0] < 0.1 && prev[1][1] < 0.1);
    }

    @Test
    void detectorFindsEachHeadType() {
        HeadTypes.Options options = HeadTypes.Options.defaults().withLength(N).withSeed(7).withBos(InductionModel.BOS);
        HeadTypes.Scores plain = HeadTypes.detect(model.transformer(), options);
        assertArrayEquals(tokens, plain.tokens());
        int t = tokens.length;
        assertEquals((t - 1.0) / t, plain.previousToken()[0][0], 1e-5);
        // without exclusions only the second copy can match: at most N / T
        assertEquals((double) N / t, plain.induction()[1][0], 1e-4);
        assertEquals((double) N / t, plain.duplicateToken()[1][1], 1e-4);
        assertEquals(List.of("0,0"), names(HeadTypes.heads(plain.previousToken(), 0.4)));
        assertEquals(List.of("1,0"), names(HeadTypes.heads(plain.induction(), 0.4)));
        assertEquals(List.of("1,1"), names(HeadTypes.heads(plain.duplicateToken(), 0.4)));

        // with the BOS column excluded, heads that rest on BOS when nothing matches score ~1
        HeadTypes.Scores noBos = HeadTypes.detect(model.transformer(), options.withExclusions(true, false));
        assertTrue(noBos.induction()[1][0] > 0.99, "induction " + noBos.induction()[1][0]);
        assertTrue(noBos.duplicateToken()[1][1] > 0.99, "duplicate " + noBos.duplicateToken()[1][1]);
        assertTrue(noBos.previousToken()[0][0] > 0.99);
        assertEquals(List.of("1,0"), names(HeadTypes.heads(noBos.induction(), 0.5)));
        assertEquals(List.of("1,1"), names(HeadTypes.heads(noBos.duplicateToken(), 0.5)));
        assertEquals(List.of("0,0"), names(HeadTypes.heads(noBos.previousToken(), 0.5)));
    }

    @Test
    void firstTokenHeadIsASinkAndTheRateCountsIt() {
        double[][][] scores = Sinks.scores(attention, true);
        int t = tokens.length;
        assertEquals(1.0, scores[0][1][0], 1e-6, "L0H1 puts all mass on token 0");
        assertEquals(2.0 / t, scores[0][0][0], 1e-5, "previous-token head: rows 0 and 1 only");
        assertEquals((N + 1.0) / t, scores[1][0][0], 1e-4, "induction head rests on BOS in the first copy");
        assertEquals((N + 1.0) / t, scores[1][1][0], 1e-4);
        double[] rate = Sinks.rate(scores, Sinks.DEFAULT_EPSILON);
        assertEquals(75.0, rate[0], 0, "3 of 4 heads have sink score > 0.3 on token 0");
        // no hidden sink from the sink head: its score on every j > 0 is ~0
        assertTrue(Sinks.hidden(scores, Sinks.DEFAULT_ALPHA).stream().noneMatch(s -> s.layer() == 0 && s.head() == 1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void metricsReportOnTheHandWiredModel() {
        AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, tokens));
        Map<String, Object> report = MetricsReport.compute(model, result);
        List<List<Double>> prev = (List<List<Double>>) report.get("prev_token");
        assertEquals(20.0 / 21, prev.get(0).get(0), 1e-5);
        List<Double> rate = (List<Double>) report.get("sink_rate");
        assertEquals(75.0, rate.get(0), 0);
        Map<String, Object> types = (Map<String, Object>) report.get("head_types");
        assertEquals(List.of(List.of(0, 0)), types.get("previous_token_heads"));
        assertEquals(List.of(List.of(1, 0)), types.get("induction_heads"), "12 tokens repeated: just under 0.5");
        assertTrue(report.containsKey("massive_activations") && report.containsKey("sink_dimensions"));
    }

    private static List<String> names(List<int[]> heads) {
        return heads.stream().map(h -> h[0] + "," + h[1]).toList();
    }
}
