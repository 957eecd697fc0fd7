package headwise.app.export;

import headwise.app.session.Session;

import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.analysis.Sinks;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * metrics.json's per-head and per-layer tables as CSV, one row per head (layer, head, then a column per metric) or
 * per layer. Columns are the README's [L][H] and [L] keys with dots for nesting ("head_types.induction"), plus the
 * session's importance measures; a metric the session lacks is left out. Without a metrics map the attention
 * statistics are computed from the run.
 */
final class MetricsTables {

    /** [L][H] keys of metrics.json, in column order. */
    static final String[][] HEAD_KEYS = {{"entropy"}, {"entropy_normalised"}, {"confidence"}, {"prev_token"}, {"mean_distance"},
        {"head_types", "previous_token"}, {"head_types", "duplicate_token"}, {"head_types", "induction"}, {"vit", "mean_distance_px"}};
    /** [L] keys of metrics.json. */
    static final String[][] LAYER_KEYS = {{"layers", "entropy"}, {"layers", "mean_distance"}, {"layers", "first_token_mass"},
        {"layers", "max_activation_ratio"}, {"massive_activations", "median_abs"}};

    private MetricsTables() {
    }

    static String heads(Session s) {
        AttentionMaps a = s.result().attention();
        Map<String, double[][]> columns = new LinkedHashMap<>();
        if (s.metrics() != null) {
            for (String[] key : HEAD_KEYS) {
                double[][] m = MetricsMap.matrix(s.metrics(), key);
                if (m != null && m.length == a.layers() && m[0].length == a.heads()) {
                    columns.put(String.join(".", key), m);
                }
            }
        } else {
            columns.put("entropy", AttentionStatistics.entropy(a));
            columns.put("confidence", AttentionStatistics.confidence(a));
            columns.put("prev_token", AttentionStatistics.previousToken(a));
            columns.put("mean_distance", AttentionStatistics.meanDistance(a));
        }
        columns.put("first_token_mass", ViewFigures.firstTokenMass(a));
        for (ImportanceMeasures.Measure m : ImportanceMeasures.of(s)) {
            if (m.shortName().startsWith("ablation") || m.shortName().startsWith("gradient")) {
                columns.put(m.shortName(), m.scores());
            }
        }
        List<Object> header = new ArrayList<>(List.of("layer", "head"));
        header.addAll(columns.keySet());
        Csv csv = new Csv().row(header);
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                List<Object> row = new ArrayList<>(List.of(l, h));
                for (double[][] m : columns.values()) {
                    row.add(m[l][h]);
                }
                csv.row(row);
            }
        }
        return csv.toString();
    }

    static String layers(Session s) {
        AnalysisResult r = s.result();
        AttentionMaps a = r.attention();
        Map<String, double[]> columns = new LinkedHashMap<>();
        if (s.metrics() != null) {
            for (String[] key : LAYER_KEYS) {
                double[] v = MetricsMap.numbers(s.metrics(), key);
                if (v != null && v.length == a.layers()) {
                    columns.put(String.join(".", key), v);
                }
            }
        } else {
            columns.put("layers.entropy", AttentionStatistics.layerMeans(AttentionStatistics.entropy(a)));
            columns.put("layers.mean_distance", AttentionStatistics.layerMeans(AttentionStatistics.meanDistance(a)));
            columns.put("layers.first_token_mass", Sinks.firstTokenMass(a));
        }
        List<Object> header = new ArrayList<>(List.of("layer"));
        header.addAll(columns.keySet());
        Csv csv = new Csv().row(header);
        for (int l = 0; l < a.layers(); l++) {
            List<Object> row = new ArrayList<>(List.of(l));
            for (double[] v : columns.values()) {
                row.add(v[l]);
            }
            csv.row(row);
        }
        return csv.toString();
    }
}
