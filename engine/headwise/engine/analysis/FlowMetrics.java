package headwise.engine.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.flow.AttentionFlow;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.flow.ContributionGraphs;
import headwise.engine.analysis.flow.Contributions;
import headwise.engine.analysis.flow.FlowCut;
import headwise.engine.analysis.flow.LayerActivations;
import headwise.engine.analysis.flow.LayerTap;
import headwise.engine.analysis.flow.ValueNorms;
import headwise.engine.analysis.lens.LogitLens;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static headwise.engine.analysis.MetricsReport.json;

/**
 * The information-flow and logit-lens keys of metrics.json (docs/metrics-json.md, "Further keys"): attention_flow on the run's
 * attention; contribution_graph, value_norms, logit_lens and flowcut from one extra forward without interventions,
 * whose layers feed every analysis as they finish.
 */
final class FlowMetrics {

    /** attention_flow: T² max-flows on an (L+1)·T-node graph; only short inputs. */
    static final int ATTENTION_FLOW_MAX_TOKENS = 64;
    /** value_norms: L·T² numbers in the JSON. */
    static final int VALUE_NORMS_MAX_TOKENS = 128;
    /** logit_lens: the last positions read; each costs L + 1 vocabulary projections and an exp per vocabulary entry. */
    static final int LOGIT_LENS_MAX_POSITIONS = 64;

    private FlowMetrics() {
    }

    /** @param extraForward false: only what the run's attention gives (attention_flow) */
    static Map<String, Object> compute(LoadedModel model, AnalysisResult result, boolean extraForward) {
        Map<String, Object> out = new LinkedHashMap<>();
        AttentionMaps a = result.attention();
        if (a.length() <= ATTENTION_FLOW_MAX_TOKENS && a.layers() > 0) {
            AttentionFlow flow = AttentionFlow.compute(a);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("output_layer", flow.outputLayer());
            f.put("flow", json(flow.flow()));
            f.put("normalised", json(flow.normalisedRows()));
            out.put("attention_flow", f);
        }
        if (!extraForward || model == null) {
            return out;
        }
        ModelSpec spec = model.spec();
        int tokens = result.input().length();
        var weights = model.transformer().weights();
        List<Consumer<LayerActivations>> consumers = new ArrayList<>();
        // only what the analyses below read: a whole pattern is recomputed per head on long inputs, so none is tapped without need
        EnumSet<LayerActivations.Part> parts = EnumSet.noneOf(LayerActivations.Part.class);
        // a model whose attention output is normed (Gemma-2/3) has no contribution graph
        String contributionsSkipped = Contributions.supports(weights) ? contributionsTooLarge(spec, tokens) : null;
        Contributions.Collector contributions = Contributions.supports(weights) && contributionsSkipped == null
                ? Contributions.collector(spec, weights, tokens, false) : null;
        if (contributions != null) {
            consumers.add(contributions);
            parts.addAll(Contributions.Collector.PARTS);
        }
        ValueNorms.Collector norms = tokens <= VALUE_NORMS_MAX_TOKENS ? ValueNorms.collector(spec, weights, tokens, false) : null;
        if (norms != null) {
            consumers.add(norms);
            parts.addAll(ValueNorms.Collector.PARTS);
        }
        boolean languageModel = spec.output() == ModelSpec.Output.LM_LOGITS && weights.unembed() != null;
        LogitLens.Collector lens = languageModel ? LogitLens.collector(spec, weights, tokens, LogitLens.DEFAULT_TOP_K, LOGIT_LENS_MAX_POSITIONS) : null;
        if (lens != null) {
            consumers.add(lens);
            parts.addAll(LogitLens.Collector.PARTS);
        }
        FlowCut.Collector flowCut = spec.vision() != null && result.input().pixels() != null
                ? FlowCut.collector(spec, result.input()) : null;
        if (flowCut != null) {
            consumers.add(flowCut);
            parts.addAll(FlowCut.Collector.PARTS);
        }
        if (consumers.isEmpty()) {
            return out;
        }
        LayerTap.run(model, result.input(), parts, consumers);

        if (contributions != null) {
            out.put("contribution_graph", contributionGraph(spec, tokens, contributions));
        } else if (contributionsSkipped != null) {
            out.put("contribution_graph", Map.of("skipped", contributionsSkipped));
        }

        if (norms != null) {
            ValueNorms n = norms.result();
            float[][][] summed = new float[n.layers()][tokens][tokens];
            for (int l = 0; l < n.layers(); l++) {
                for (int i = 0; i < tokens; i++) {
                    System.arraycopy(n.summed()[l], i * tokens, summed[l][i], 0, tokens);
                }
            }
            out.put("value_norms", json(summed));
        }
        if (lens != null) {
            LogitLens l = lens.result();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("k", l.k());
            m.put("positions", json(java.util.stream.IntStream.range(l.first(), l.first() + l.tokens()).toArray()));
            m.put("top_ids", json(l.topIds()));
            m.put("top_probs", json(l.topProbs()));
            m.put("final_top", json(l.finalTop()));
            m.put("final_top_rank", json(l.finalTopRank()));
            m.put("final_top_prob", json(l.finalTopProb()));
            m.put("kl", json(l.kl()));
            m.put("kl_mean", json(l.meanKl()));
            out.put("logit_lens", m);
        }
        if (flowCut != null) {
            FlowCut f = flowCut.result();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("special_tokens", f.specialTokens());
            m.put("scores", json(f.scores()));
            m.put("cumulative", json(f.cumulative()));
            out.put("flowcut", m);
        }
        return out;
    }

    /**
     * Why the contributions of a {@code tokens}-token input cannot be computed in the free Java heap, or null when
     * they can: every layer's T² token-to-token shares, plus one layer's H·T² patterns while it is decomposed and
     * two T² copies while a head's pattern is recomputed (long inputs).
     */
    private static String contributionsTooLarge(ModelSpec spec, int tokens) {
        long squares = (long) tokens * tokens;
        try {
            MemoryBudget.checkHeap(4 * squares * (spec.layers() + spec.heads() + 2), "the contribution graph of " + tokens + " tokens");
            return null;
        } catch (HeadwiseException tooLarge) {
            return tooLarge.getMessage();
        }
    }

    /** The contribution graph toward the last token (causal models) or token 0 (encoders, classifiers: CLS). */
    private static Map<String, Object> contributionGraph(ModelSpec spec, int tokens, Contributions.Collector contributions) {
        int target = spec.causal() ? tokens - 1 : 0;
        ContributionGraph graph = ContributionGraphs.graph(contributions.result(), target,
                ContributionGraphs.DEFAULT_THRESHOLD, ContributionGraphs.MlpFold.TOKEN_LOCAL);
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("target", graph.target());
        g.put("threshold", graph.threshold());
        g.put("mlp_fold", "token_local");
        List<Object> edges = new ArrayList<>();
        for (ContributionGraph.Edge e : graph.edges()) {
            Map<String, Object> edge = new LinkedHashMap<>();
            edge.put("layer", e.toLayer());
            edge.put("from", e.fromToken());
            edge.put("to", e.toToken());
            edge.put("weight", e.weight());
            edge.put("kind", e.kind() == ContributionGraph.Kind.ATTENTION ? "attention" : "residual");
            edges.add(edge);
        }
        g.put("edges", edges);
        return g;
    }
}
