package headwise.engine.analysis.probe;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The small rules of docs/probing.md: depth, label order, split sizes, tied AUC, zero F1, constant features. */
class ProbeRulesTest {

    @Test
    void depthIsTheFirstLayerReachingNinetyPercentOfTheBest() {
        assertEquals(2, LayerProbing.depth(scores(0.5, 0.7, 0.9, 1.0, 0.95)));
        assertEquals(1, LayerProbing.depth(scores(0.5, 0.72, 0.8)), "0.72 = 0.9 · 0.8 exactly counts");
        assertEquals(0, LayerProbing.depth(scores(0.6, 0.6)));
    }

    @Test
    void numericLabelsSortAsNumbersOthersAsStrings() {
        ProbeLabels numeric = ProbeLabels.of(Path.of("x"), examples("10", "9", "9.0", "-1"));
        assertEquals(List.of("-1", "9", "10"), numeric.sorted());
        assertArrayEquals(new int[] {2, 1, 1, 0}, numeric.classOf(), "9 and 9.0 are one class");
        assertEquals(List.of("10", "9", "b"), ProbeLabels.of(Path.of("x"), examples("b", "9", "10")).sorted());
    }

    @Test
    void stratifiedSplitTakesSixtyPercentOfEachClass() {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 55; i++) {
            labels.add(i < 25 ? "a" : "b"); // 25 → 15 train; 30 → 18 train
        }
        List<ProbeExample> examples = examples(labels.toArray(String[]::new));
        ProbeLabels classes = ProbeLabels.of(Path.of("x"), examples);
        ProbeSplit split = ProbeSplit.of(Path.of("x"), examples, classes, 3);
        assertArrayEquals(new int[] {15, 18}, classes.counts(split.train()));
        assertArrayEquals(new int[] {10, 12}, classes.counts(split.test()));
        assertEquals(3L, split.seed());
        assertArrayEquals(split.train(), ProbeSplit.of(Path.of("x"), examples, classes, 3).train(), "the same seed, the same split");
    }

    @Test
    void aucCountsTiesAsHalfAndF1WithoutPositivesIsZero() {
        double[][] tied = {{1}, {1}, {1}, {1}};
        assertEquals(0.5, ProbeScore.auc(new int[] {0, 1, 0, 1}, tied, 1, 0));
        assertEquals(0.875, ProbeScore.auc(new int[] {0, 1, 0, 1}, new double[][] {{0}, {1}, {1}, {2}}, 1, 0), "scikit-learn: 0.875");
        ProbeScore score = ProbeScore.of(new int[] {0, 0, 1, 1}, new int[] {0, 0, 0, 0}, new double[][] {{0}, {1}, {2}, {3}}, 2);
        assertEquals(0.5, score.accuracy());
        assertEquals(0.0, score.f1(), "no positive predicted: F1 0");
        assertEquals(1.0, score.auc());
    }

    @Test
    void constantFeaturesAreCentredToExactlyZero() {
        float[][] features = {{0.1f, 3}, {0.1f, 5}, {0.1f, 7}};
        Standardizer s = Standardizer.fit(features, new int[] {0, 1, 2});
        assertEquals(1.0, s.scale()[0]);
        double[][] z = s.apply(features, new int[] {0, 1, 2});
        for (double[] row : z) {
            assertEquals(0.0, row[0]);
        }
        assertEquals(Math.sqrt(8.0 / 3), s.scale()[1], 1e-15, "population standard deviation");
    }

    private static List<ProbeScore> scores(double... accuracies) {
        List<ProbeScore> out = new ArrayList<>();
        for (double a : accuracies) {
            out.add(new ProbeScore(a, 0, 0));
        }
        return out;
    }

    private static List<ProbeExample> examples(String... labels) {
        List<ProbeExample> out = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            out.add(new ProbeExample(i + 1, null, new int[] {1}, labels[i], null));
        }
        return out;
    }
}
