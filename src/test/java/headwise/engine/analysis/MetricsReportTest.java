package headwise.engine.analysis;

import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.Matrix;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MetricsReport assembly without a model: attention-only options, ViT keys, JSON conversion. */
class MetricsReportTest {

    private static ModelSpec vitSpec() {
        return new ModelSpec("vit", "ViTForImageClassification", 1, 1, 1, 8, 8, 8, 1, 5, false,
                ModelSpec.Norm.LAYER_NORM, false, 1e-12, ModelSpec.Activation.GELU_ERF, ModelSpec.Output.CLASS_LOGITS,
                null, 0, new ModelSpec.Vision(32, 16, 3, false));
    }

    @Test
    @SuppressWarnings("unchecked")
    void vitReportHasPixelDistancesOnTheTrainedGrid() {
        // 2×2 grid of 16-px patches after CLS; every patch puts ½ on CLS and ½ on patch (1,1)
        float[] v = new float[25];
        v[0] = 1;
        for (int i = 1; i < 5; i++) {
            v[i * 5] = 0.5f;
            v[i * 5 + 4] += 0.5f;
        }
        ModelInput input = new ModelInput(new int[] {0, 1, 2, 3, 4}, new String[] {"[CLS]", "p", "p", "p", "p"}, null, null);
        AnalysisResult result = new AnalysisResult("tiny-vit", vitSpec(), input, new AttentionMaps(1, 1, 5, v),
                new Matrix(1, 1, new float[] {0}));
        Map<String, Object> report = MetricsReport.compute(null, result, MetricsReport.Options.defaults().attentionOnly());
        assertEquals(MetricsReferenceTest.FIXED_KEYS, List.copyOf(report.keySet()).subList(0, 8));
        assertFalse(report.containsKey("head_types"));
        assertFalse(report.containsKey("massive_activations"));
        Map<String, Object> vit = (Map<String, Object>) report.get("vit");
        List<List<Double>> px = (List<List<Double>>) vit.get("mean_distance_px");
        assertEquals((8 * Math.sqrt(2) + 16) / 4, px.get(0).get(0), 1e-9);
        Map<String, Object> grid = (Map<String, Object>) vit.get("grid");
        assertEquals(2, grid.get("rows"));
        // bidirectional sink score of CLS: (1 + 4·½) / 5
        List<List<List<Double>>> sink = (List<List<List<Double>>>) report.get("sink_score");
        assertEquals(3.0 / 5, sink.get(0).get(0).get(0), 1e-9);
        Map<String, Object> meta = (Map<String, Object>) report.get("meta");
        assertEquals(false, meta.get("causal"));
    }

    @Test
    void jsonConversionNestsArraysAndNullsNonFiniteNumbers() {
        Object json = MetricsReport.json(new double[][] {{1, Double.NaN}, {Double.POSITIVE_INFINITY, 2}});
        assertEquals(List.of(List.of(1.0), List.of(2.0)).size(), ((List<?>) json).size());
        List<?> first = (List<?>) ((List<?>) json).get(0);
        assertEquals(1.0, first.get(0));
        assertTrue(first.get(1) == null);
        assertEquals(List.of(1, 0), MetricsReport.json(new boolean[] {true, false}));
        assertEquals(List.of(3L), MetricsReport.json(new long[] {3}));
    }
}
