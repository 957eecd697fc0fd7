package headwise.engine.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.heads.ContextSensitivity;
import headwise.engine.analysis.heads.RetrievalScore;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.GradientImportance;
import headwise.engine.analysis.importance.GradientScores;
import headwise.engine.analysis.importance.RankAgreement;
import headwise.engine.analysis.intervene.HeadSelection;
import headwise.engine.analysis.intervene.OutputShift;
import headwise.engine.analysis.intervene.SinkCalibration;
import headwise.engine.analysis.intervene.ZeroTuning;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Generator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static headwise.engine.analysis.MetricsReport.json;

/**
 * The metrics.json keys of the optional per-head analyses ({@link HeadAnalyses}; docs/metrics-json.md):
 * retrieval, zerotuning, sink_calibration, importance, context_sensitivity.
 */
final class HeadAnalysisMetrics {

    /** Top entries of each output distribution written for the interventions. */
    static final int TOP = 10;

    private HeadAnalysisMetrics() {
    }

    static Map<String, Object> compute(LoadedModel model, AnalysisResult result, HeadAnalyses a) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (a.needle() != null) {
            RetrievalScore r = RetrievalScore.compute(model.transformer(), a.needle(), a.retrievalMaxNew(), Generator.defaultStopIds(model));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prompt_tokens", a.needle().ids().length);
            m.put("needle_start", r.needleStart());
            m.put("needle_end", r.needleEnd());
            m.put("generated", json(r.generated()));
            m.put("copied", r.copied());
            m.put("threshold", RetrievalScore.DEFAULT_THRESHOLD);
            m.put("scores", json(r.scores()));
            m.put("heads", pairs(r.heads(RetrievalScore.DEFAULT_THRESHOLD)));
            out.put("retrieval", m);
        }
        HeadSelection heads = a.heads() != null ? a.heads() : HeadSelection.all(model.spec());
        if (a.zeroTuningGamma() != null) {
            OutputShift s = ZeroTuning.apply(model, result.input(), a.zeroTuningGamma(), heads, null);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gamma", a.zeroTuningGamma());
            m.put("heads", pairs(heads.pairs()));
            m.putAll(shift(s));
            out.put("zerotuning", m);
        }
        if (a.actBeta() != null) {
            SinkCalibration.Options o = new SinkCalibration.Options(a.actBeta(), Sinks.DEFAULT_ALPHA, false);
            SinkCalibration.Result r = SinkCalibration.apply(model, result.input(), heads, o, null);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("beta", o.beta());
            m.put("alpha", o.alpha());
            m.put("heads", pairs(heads.pairs()));
            List<Object> sinks = new ArrayList<>();
            for (int[] lh : heads.pairs()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer", lh[0]);
                e.put("head", lh[1]);
                e.put("tokens", json(r.sinks()[lh[0]][lh[1]]));
                sinks.add(e);
            }
            m.put("sinks", sinks);
            m.putAll(shift(r.shift()));
            out.put("sink_calibration", m);
        }
        if (!a.importance().isEmpty()) {
            out.put("importance", importance(model, result, a));
        }
        if (a.contextSpan() != null) {
            if (result.input().pixels() != null || result.input().embeddings() != null) {
                throw new HeadwiseException("--context-span: takes token inputs (text or ids), not images");
            }
            ContextSensitivity c = ContextSensitivity.compute(model.transformer(), result.input().ids(), a.contextSpan()[0], a.contextSpan()[1]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("span_start", c.spanStart());
            m.put("span_end", c.spanEnd());
            m.put("queries", json(c.queries()));
            m.put("distance", json(c.distance()));
            m.put("relative", json(c.relative()));
            m.put("span_attention", json(c.spanAttention()));
            out.put("context_sensitivity", m);
        }
        return out;
    }

    private static Map<String, Object> importance(LoadedModel model, AnalysisResult result, HeadAnalyses a) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<RankAgreement.NamedScores> ranked = new ArrayList<>();
        for (HeadAnalyses.Importance kind : a.importance()) {
            if (kind == HeadAnalyses.Importance.GRADIENT) {
                GradientScores g = GradientImportance.compute(model, result.input(), GradientImportance.Options.defaults());
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("objective", g.objective());
                e.put("loss", finite(g.loss()));
                e.put("importance", json(g.importance()));
                m.put("gradient", e);
                ranked.add(new RankAgreement.NamedScores("gradient", g.importance()));
                continue;
            }
            Interventions.Ablation mode = kind == HeadAnalyses.Importance.ZERO ? Interventions.Ablation.ZERO : Interventions.Ablation.MEAN;
            String name = "ablation_" + mode.name().toLowerCase(java.util.Locale.ROOT);
            AblationScores s;
            try {
                s = AblationImportance.compute(model, result.input(), mode, AblationImportance.Options.defaults().withScope(a.ablationScope()));
            } catch (IllegalArgumentException e) {
                throw new HeadwiseException("--importance: " + e.getMessage());
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("scope", s.scope().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            e.put("readout", s.readout().name().toLowerCase(java.util.Locale.ROOT));
            e.put("target", s.target());
            e.put("position", s.position());
            e.put("baseline_loss", finite(s.baselineLoss()));
            e.put("delta_loss", json(s.deltaLoss()));
            e.put("delta_logit", json(s.deltaLogit()));
            e.put("delta_prob", json(s.deltaProb()));
            e.put("kl", json(s.kl()));
            e.put("kl_mean", json(s.klMean()));
            e.put("hidden_change", json(s.hiddenChange()));
            m.put(name, e);
            ranked.add(new RankAgreement.NamedScores(name, absolute(s.primary())));
        }
        if (ranked.size() > 1) {
            RankAgreement.Matrix r = RankAgreement.matrix(ranked);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("measures", r.names());
            e.put("spearman", json(r.rho()));
            m.put("rank_agreement", e);
        }
        return m;
    }

    private static Map<String, Object> shift(OutputShift s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", s.position());
        m.put("kl", finite(s.kl()));
        m.put("original_top", s.originalTop());
        m.put("shifted_top", s.shiftedTop());
        int[] before = top(s.original());
        int[] after = top(s.shifted());
        m.put("original_top_ids", json(before));
        m.put("original_top_probs", json(pick(s.original(), before)));
        m.put("shifted_top_ids", json(after));
        m.put("shifted_top_probs", json(pick(s.shifted(), after)));
        return m;
    }

    /** Indices of the TOP largest values, largest first (ties: lower index). */
    static int[] top(double[] p) {
        return java.util.stream.IntStream.range(0, p.length).boxed()
                .sorted((x, y) -> p[y] != p[x] ? Double.compare(p[y], p[x]) : Integer.compare(x, y))
                .limit(TOP).mapToInt(Integer::intValue).toArray();
    }

    private static double[] pick(double[] p, int[] ids) {
        double[] out = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = p[ids[i]];
        }
        return out;
    }

    private static double[][] absolute(double[][] m) {
        double[][] out = new double[m.length][];
        for (int l = 0; l < m.length; l++) {
            out[l] = java.util.Arrays.stream(m[l]).map(Math::abs).toArray();
        }
        return out;
    }

    private static List<Object> pairs(List<int[]> heads) {
        List<Object> out = new ArrayList<>();
        for (int[] lh : heads) {
            out.add(List.of(lh[0], lh[1]));
        }
        return out;
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
