package headwise.app.ui.page;

import headwise.app.export.MetricsMap;
import headwise.app.session.Results;
import headwise.app.session.Session;
import headwise.engine.analysis.Sinks;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;
import headwise.viz.SinkHiding;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Sink scores of a session (metrics.json's {@code sink_score} when computed, otherwise from the run's attention,
 * once per run) and attention with each head's own sink keys hidden ({@link SinkHiding}): what the "hide sinks and
 * renormalise" switch applies to every heatmap. The app's runs carry their sink scores ({@link Results#sinkScores},
 * computed in the background); other sessions (the CLI's, tests') compute them once per run here.
 */
public final class SessionSinks {

    private static final Map<AnalysisResult, double[][][]> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private SessionSinks() {
    }

    /** [layer][head][key] sink scores (METHODS.md). */
    public static double[][][] scores(Session s) {
        double[][][] fromMetrics = cube(s.metrics(), "sink_score");
        if (fromMetrics != null) {
            return fromMetrics;
        }
        if (s.results().sinkScores() != null) {
            return s.results().sinkScores();
        }
        return CACHE.computeIfAbsent(s.result(), SessionSinks::compute);
    }

    /** [layer][head][key] sink scores of a run's attention: reads every head (call it off the FX thread). */
    public static double[][][] compute(AnalysisResult r) {
        return Sinks.scores(r.attention(), r.spec().causal());
    }

    /** [token] sink rate in percent (ε = 0.3). */
    public static double[] rate(Session s) {
        double[] fromMetrics = MetricsMap.numbers(s.metrics(), "sink_rate");
        return fromMetrics != null ? fromMetrics : Sinks.rate(scores(s), Sinks.DEFAULT_EPSILON);
    }

    /** The keys head (layer, head) uses as sinks: sink score above ε. */
    public static boolean[] sinkKeys(Session s, int layer, int head) {
        return SinkHiding.sinkKeys(scores(s)[layer][head], Sinks.DEFAULT_EPSILON);
    }

    /** One head's T×T attention, with its sink keys hidden and rows renormalised when {@code hide}. */
    public static float[] head(Session s, int layer, int head, boolean hide) {
        AttentionMaps a = s.result().attention();
        float[] m = a.head(layer, head);
        return hide ? SinkHiding.renormalise(m, a.length(), sinkKeys(s, layer, head)) : m;
    }

    /** The mean over heads of one layer's attention (each head's sinks hidden first when {@code hide}). */
    public static float[] layerMean(Session s, int layer, boolean hide) {
        AttentionMaps a = s.result().attention();
        int tt = a.length() * a.length();
        float[] out = new float[tt];
        for (int h = 0; h < a.heads(); h++) {
            float[] m = head(s, layer, h, hide);
            for (int i = 0; i < tt; i++) {
                out[i] += m[i] / a.heads();
            }
        }
        return out;
    }

    /** Every head of {@code maps} with its own sink keys hidden (sink scores computed on {@code maps}). */
    public static AttentionMaps hidden(AttentionMaps maps, boolean causal) {
        double[][][] scores = Sinks.scores(maps, causal);
        int t = maps.length();
        float[] values = new float[maps.layers() * maps.heads() * t * t];
        for (int l = 0; l < maps.layers(); l++) {
            for (int h = 0; h < maps.heads(); h++) {
                float[] m = SinkHiding.renormalise(maps.head(l, h), t, SinkHiding.sinkKeys(scores[l][h], Sinks.DEFAULT_EPSILON));
                System.arraycopy(m, 0, values, (l * maps.heads() + h) * t * t, t * t);
            }
        }
        return new AttentionMaps(maps.layers(), maps.heads(), t, values);
    }

    /** A [a][b][c] list of numbers from the metrics map, or null. */
    static double[][][] cube(Map<String, Object> metrics, String key) {
        return metrics == null ? null : cube(metrics.get(key));
    }

    /** A metrics node that is a [a][b][c] list of numbers, or null. */
    static double[][][] cube(Object node) {
        if (!(node instanceof List<?> outer)) {
            return null;
        }
        double[][][] out = new double[outer.size()][][];
        for (int i = 0; i < out.length; i++) {
            if (!(outer.get(i) instanceof List<?> middle)) {
                return null;
            }
            out[i] = new double[middle.size()][];
            for (int j = 0; j < out[i].length; j++) {
                if (!(middle.get(j) instanceof List<?> inner)) {
                    return null;
                }
                out[i][j] = new double[inner.size()];
                for (int k = 0; k < inner.size(); k++) {
                    Object v = inner.get(k);
                    out[i][j][k] = v instanceof Number n ? n.doubleValue() : Double.NaN;
                }
            }
        }
        return out;
    }
}
