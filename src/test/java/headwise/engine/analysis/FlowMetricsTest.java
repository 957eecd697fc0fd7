package headwise.engine.analysis;

import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.analysis.flow.AttentionFlow;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.flow.ContributionGraphs;
import headwise.engine.analysis.flow.FlowCut;
import headwise.engine.analysis.lens.LogitLens;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The information-flow and logit-lens keys of metrics.json hold what the analyses compute. */
class FlowMetricsTest {

    @Test
    @SuppressWarnings("unchecked")
    void languageModelKeys() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            AnalysisResult result = Analyzer.analyze(model, input);
            Map<String, Object> report = MetricsReport.compute(model, result);
            int t = input.length();

            Map<String, Object> flow = (Map<String, Object>) report.get("attention_flow");
            assertEquals(3, flow.get("output_layer"));
            List<List<Double>> f = (List<List<Double>>) flow.get("flow");
            assertEquals(t, f.size());
            assertEquals(AttentionFlow.compute(result.attention()).flow()[t - 1][2], f.get(t - 1).get(2), 0);

            Map<String, Object> graph = (Map<String, Object>) report.get("contribution_graph");
            assertEquals(t - 1, graph.get("target"));
            assertEquals(0.04, graph.get("threshold"));
            List<Map<String, Object>> edges = (List<Map<String, Object>>) graph.get("edges");
            ContributionGraph expected = ContributionGraphs.compute(model, input, t - 1, 0.04);
            assertEquals(expected.edges().size(), edges.size());
            assertFalse(edges.isEmpty());
            Map<String, Object> lastEdge = edges.get(edges.size() - 1);
            assertEquals(3, lastEdge.get("layer"), "the last block's edges come last");
            assertEquals(t - 1, lastEdge.get("to"));

            List<List<List<Double>>> norms = (List<List<List<Double>>>) report.get("value_norms");
            assertEquals(List.of(3, t, t), List.of(norms.size(), norms.get(0).size(), norms.get(0).get(0).size()));
            assertEquals(0.0, norms.get(0).get(0).get(1), 0, "causal: query 0 moves nothing from token 1");

            Map<String, Object> lens = (Map<String, Object>) report.get("logit_lens");
            LogitLens direct = LogitLens.compute(model, input, LogitLens.DEFAULT_TOP_K);
            List<List<List<Integer>>> ids = (List<List<List<Integer>>>) lens.get("top_ids");
            assertEquals(4, ids.size(), "embedding + 3 layers");
            assertEquals(direct.topIds()[2][5][0], ids.get(2).get(5).get(0));
            List<Double> klMean = (List<Double>) lens.get("kl_mean");
            assertEquals(0.0, klMean.get(3), 0);
            assertTrue(klMean.get(0) > 0);
            assertFalse(report.containsKey("flowcut"));

            Map<String, Object> attentionOnly = MetricsReport.compute(model, result, MetricsReport.Options.defaults().attentionOnly());
            assertTrue(attentionOnly.containsKey("attention_flow"));
            assertFalse(attentionOnly.containsKey("logit_lens"), "no extra forward");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void visionKeys() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            ModelInput input = ModelInput.fromImage(model, ImageFiles.read(Fixtures.model("vit_f32").resolve("reference/image.png")));
            Map<String, Object> report = MetricsReport.compute(model, Analyzer.analyze(model, input));
            Map<String, Object> flowcut = (Map<String, Object>) report.get("flowcut");
            FlowCut direct = FlowCut.compute(model, input);
            List<Double> cumulative = (List<Double>) flowcut.get("cumulative");
            assertEquals(16, cumulative.size());
            assertEquals(direct.cumulative()[7], cumulative.get(7), 0);
            assertEquals(0, ((Map<String, Object>) report.get("contribution_graph")).get("target"), "CLS");
            assertFalse(report.containsKey("logit_lens"), "a classifier has no vocabulary");
        }
    }
}
