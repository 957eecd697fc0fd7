package headwise.engine.analysis;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import headwise.engine.HeadwiseException;
import headwise.engine.image.PatchGrid;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;

import java.io.IOException;
import java.io.Writer;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code analyze … --metrics} writes to metrics.json, as an ordered map of nested lists (keys and
 * definitions: docs/metrics-json.md). The fixed keys come first and are computed on the attention of the run
 * ({@link AnalysisResult#attention()}); residual-stream metrics re-run the model without interventions to capture
 * resid_post; head types run the model on a repeated random sequence (token models only); ViT metrics appear for
 * image inputs; the information-flow and logit-lens keys ({@link FlowMetrics}) add one more forward; the optional
 * per-head analyses ({@link HeadAnalyses}) come last. Non-finite numbers are written as null.
 */
public final class MetricsReport {

    /**
     * @param sinkEpsilon      ε of the sink rate (0.3)
     * @param hiddenSinkAlpha  α of hidden sinks (0.1)
     * @param massiveAbs       massive activations: |x| above this (100)
     * @param massiveRatio     … and above this × the layer's median |x| (1000)
     * @param topK             top-k |x| per layer reported against the median (3)
     * @param varTau           τ of sink dimensions (20)
     * @param varMinOccurrences (layer, token) occurrences that make a channel a sink dimension (2)
     * @param residuals        compute the residual-stream metrics (one extra forward)
     * @param headTypes        head-type detection options, or null to skip it (one extra forward)
     * @param vitRenormalise   pixel distance: renormalise each query row over patches (false)
     * @param headAnalyses     the optional per-head analyses (retrieval, interventions, importance, context
     *                         sensitivity): none by default
     */
    public record Options(double sinkEpsilon, double hiddenSinkAlpha, double massiveAbs, double massiveRatio, int topK,
                          double varTau, int varMinOccurrences, boolean residuals, HeadTypes.Options headTypes,
                          boolean vitRenormalise, HeadAnalyses headAnalyses) {
        public static Options defaults() {
            return new Options(Sinks.DEFAULT_EPSILON, Sinks.DEFAULT_ALPHA, MassiveActivations.DEFAULT_ABS_THRESHOLD,
                    MassiveActivations.DEFAULT_RATIO_THRESHOLD, MassiveActivations.DEFAULT_TOP_K, SinkDimensions.DEFAULT_TAU,
                    SinkDimensions.DEFAULT_MIN_OCCURRENCES, true, HeadTypes.Options.defaults(), false, HeadAnalyses.none());
        }

        /** Only what the attention of the run gives (no extra forward passes). */
        public Options attentionOnly() {
            return new Options(sinkEpsilon, hiddenSinkAlpha, massiveAbs, massiveRatio, topK, varTau, varMinOccurrences,
                    false, null, vitRenormalise, HeadAnalyses.none());
        }

        public Options withHeadAnalyses(HeadAnalyses a) {
            return new Options(sinkEpsilon, hiddenSinkAlpha, massiveAbs, massiveRatio, topK, varTau, varMinOccurrences,
                    residuals, headTypes, vitRenormalise, a);
        }
    }

    private MetricsReport() {
    }

    /** Computes the report with default options and writes it as JSON to {@code file}. */
    public static void write(Path file, LoadedModel model, AnalysisResult result) {
        write(file, compute(model, result, Options.defaults()));
    }

    /** Writes a computed report (compact JSON, UTF-8). */
    public static void write(Path file, Map<String, Object> report) {
        Gson gson = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                gson.toJson(report, w);
                w.write('\n');
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write metrics: " + e.getMessage());
        }
    }

    public static Map<String, Object> compute(LoadedModel model, AnalysisResult result) {
        return compute(model, result, Options.defaults());
    }

    public static Map<String, Object> compute(LoadedModel model, AnalysisResult result, Options options) {
        ModelSpec spec = result.spec();
        AttentionMaps a = result.attention();
        Map<String, Object> out = attentionMetrics(a, spec.causal(), options.sinkEpsilon());

        double[][][] sinkScores = Sinks.scores(a, spec.causal());
        out.put("entropy_normalised", json(AttentionStatistics.normalisedEntropy(a, spec.causal())));
        List<Object> hidden = new ArrayList<>();
        for (Sinks.HiddenSink s : Sinks.hidden(sinkScores, options.hiddenSinkAlpha())) {
            hidden.add(entry("layer", s.layer(), "head", s.head(), "token", s.token(), "score", finite(s.score())));
        }
        out.put("hidden_sinks", hidden);

        Map<String, Object> layers = new LinkedHashMap<>();
        layers.put("entropy", json(AttentionStatistics.layerMeans(AttentionStatistics.entropy(a))));
        layers.put("mean_distance", json(AttentionStatistics.layerMeans(AttentionStatistics.meanDistance(a))));
        layers.put("first_token_mass", json(Sinks.firstTokenMass(a)));
        out.put("layers", layers);

        if (options.residuals() && model != null) {
            Residuals r = Residuals.capture(model, result.input());
            MassiveActivations.Report m = MassiveActivations.find(r, options.massiveAbs(), options.massiveRatio(), options.topK());
            List<Object> entries = new ArrayList<>();
            for (MassiveActivations.Activation x : m.massive()) {
                entries.add(entry("layer", x.layer(), "token", x.token(), "channel", x.channel(), "value", finite(x.value())));
            }
            Map<String, Object> massive = new LinkedHashMap<>();
            massive.put("abs_threshold", options.massiveAbs());
            massive.put("ratio_threshold", options.massiveRatio());
            massive.put("entries", entries);
            massive.put("median_abs", json(m.medianAbs()));
            massive.put("top_abs", json(m.topAbs()));
            massive.put("top_ratio", json(m.topRatio()));
            out.put("massive_activations", massive);
            double[] maxRatio = new double[m.topRatio().length];
            for (int l = 0; l < maxRatio.length; l++) {
                maxRatio[l] = m.topRatio()[l].length == 0 ? 0 : m.topRatio()[l][0];
            }
            layers.put("max_activation_ratio", json(maxRatio));

            SinkDimensions.Result d = SinkDimensions.find(r, options.varTau(), options.varMinOccurrences());
            Map<String, Object> dims = new LinkedHashMap<>();
            dims.put("tau", d.tau());
            dims.put("min_occurrences", options.varMinOccurrences());
            dims.put("dimensions", json(d.dimensions()));
            dims.put("occurrences", json(d.occurrences()));
            dims.put("max_normalised", json(d.maxNormalised()));
            dims.put("sink_tokens", json(d.sinkTokens()));
            out.put("sink_dimensions", dims);
        }

        if (options.headTypes() != null && model != null && spec.vision() == null) {
            out.put("head_types", headTypes(model, options.headTypes()));
        }

        PatchGrid grid = result.input().grid();
        if (spec.vision() != null && grid == null && a.length() == spec.vision().tokens()) {
            grid = PatchGrid.trained(spec.vision());
        }
        if (spec.vision() != null && grid != null && grid.tokens() == a.length()) {
            Map<String, Object> vit = new LinkedHashMap<>();
            vit.put("grid", entry("rows", grid.rows(), "cols", grid.cols(), "patch_size", grid.patchSize(),
                    "special_tokens", grid.specialTokens()));
            vit.put("renormalised", options.vitRenormalise());
            vit.put("mean_distance_px", json(VitSpatial.meanDistancePixels(a, grid, options.vitRenormalise())));
            VitSpatial.SpatialProfile profile = VitSpatial.spatialProfile(a, grid);
            vit.put("spatial_profile", entry("distance", json(profile.distance()), "pairs", json(profile.pairs()),
                    "mean", json(profile.mean())));
            out.put("vit", vit);
        }

        // ---- information flow and logit lens (issue 4; keys and definitions: FlowMetrics, docs/metrics-json.md) ----
        out.putAll(FlowMetrics.compute(model, result, options.residuals()));
        // ---- end of information flow and logit lens ----

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", result.modelName());
        meta.put("architecture", spec.architecture());
        meta.put("layers", a.layers());
        meta.put("heads", a.heads());
        meta.put("tokens", a.length());
        meta.put("causal", spec.causal());
        meta.put("log", "natural");
        meta.put("sink_epsilon", options.sinkEpsilon());
        meta.put("hidden_sink_alpha", options.hiddenSinkAlpha());
        out.put("meta", meta);

        // ---- optional per-head analyses (retrieval, interventions, importance, context sensitivity) ----
        if (options.headAnalyses() != null && options.headAnalyses().any() && model != null) {
            out.putAll(HeadAnalysisMetrics.compute(model, result, options.headAnalyses()));
        }
        return out;
    }

    /**
     * The fixed metrics.json keys, in order: entropy, confidence, prev_token, sink_score, sink_rate, mean_distance,
     * rollout, layer_similarity (definitions in docs/metrics-json.md).
     */
    public static Map<String, Object> attentionMetrics(AttentionMaps a, boolean causal, double sinkEpsilon) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entropy", json(AttentionStatistics.entropy(a)));
        out.put("confidence", json(AttentionStatistics.confidence(a)));
        out.put("prev_token", json(AttentionStatistics.previousToken(a)));
        double[][][] sinkScores = Sinks.scores(a, causal);
        out.put("sink_score", json(sinkScores));
        out.put("sink_rate", json(Sinks.rate(sinkScores, sinkEpsilon)));
        out.put("mean_distance", json(AttentionStatistics.meanDistance(a)));
        float[][] averages = AttentionStatistics.headAverages(a);
        out.put("rollout", json(Rollout.ofHeadAverages(averages, a.length()).full()));
        out.put("layer_similarity", json(LayerSimilarity.ofHeadAverages(averages)));
        return out;
    }

    private static Map<String, Object> headTypes(LoadedModel model, HeadTypes.Options o) {
        ModelSpec spec = model.spec();
        Map<String, Object> out = new LinkedHashMap<>();
        int[] tokens;
        try {
            tokens = HeadTypes.sequence(spec, o);
        } catch (IllegalArgumentException e) {
            out.put("skipped", e.getMessage());
            return out;
        }
        HeadTypes.Scores s = HeadTypes.score(HeadTypes.attention(model.transformer(), tokens), tokens, o.excludeBos(), o.excludeDiagonal());
        out.put("tokens", json(tokens));
        out.put("seed", o.seed());
        out.put("bos_id", o.bosId());
        out.put("exclude_bos", o.excludeBos());
        out.put("exclude_diagonal", o.excludeDiagonal());
        out.put("threshold", o.threshold());
        out.put("previous_token", json(s.previousToken()));
        out.put("duplicate_token", json(s.duplicateToken()));
        out.put("induction", json(s.induction()));
        out.put("previous_token_heads", heads(s.previousToken(), o.threshold()));
        out.put("duplicate_token_heads", heads(s.duplicateToken(), o.threshold()));
        out.put("induction_heads", heads(s.induction(), o.threshold()));
        return out;
    }

    private static List<Object> heads(double[][] scores, double threshold) {
        List<Object> out = new ArrayList<>();
        for (int[] lh : HeadTypes.heads(scores, threshold)) {
            out.add(List.of(lh[0], lh[1]));
        }
        return out;
    }

    private static Map<String, Object> entry(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k < keyValues.length; k += 2) {
            m.put((String) keyValues[k], keyValues[k + 1]);
        }
        return m;
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    /** Java arrays (any rank; double, float, int, long, boolean) to nested lists; non-finite numbers to null, booleans to 0/1. */
    static Object json(Object array) {
        if (array instanceof double[] d) {
            List<Double> out = new ArrayList<>(d.length);
            for (double x : d) {
                out.add(finite(x));
            }
            return out;
        }
        if (array instanceof float[] f) {
            List<Double> out = new ArrayList<>(f.length);
            for (float x : f) {
                out.add(finite(x));
            }
            return out;
        }
        if (array instanceof int[] i) {
            List<Integer> out = new ArrayList<>(i.length);
            for (int x : i) {
                out.add(x);
            }
            return out;
        }
        if (array instanceof long[] l) {
            List<Long> out = new ArrayList<>(l.length);
            for (long x : l) {
                out.add(x);
            }
            return out;
        }
        if (array instanceof boolean[] b) {
            List<Integer> out = new ArrayList<>(b.length);
            for (boolean x : b) {
                out.add(x ? 1 : 0);
            }
            return out;
        }
        if (array != null && array.getClass().isArray()) {
            int n = Array.getLength(array);
            List<Object> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                out.add(json(Array.get(array, k)));
            }
            return out;
        }
        return array;
    }
}
