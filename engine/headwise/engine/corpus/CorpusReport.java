package headwise.engine.corpus;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import headwise.engine.io.AtomicFiles;
import headwise.engine.analysis.AttentionStatistics;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The files of a corpus run (docs/corpus.md): head_stats.json, layer_stats.json, per_prompt.jsonl and atlas.json.
 * Each is written beside its final name and moved over it, so a reader never sees half a file.
 */
public final class CorpusReport {

    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private CorpusReport() {
    }

    /**
     * @param prompts the corpus's prompts, index-aligned with {@link PromptMetrics#index()}
     * @param skipped bad lines passed over (--skip-bad)
     */
    public static void write(Path dir, List<CorpusPrompt> prompts, CorpusAccumulator run, int skipped, int layers, int heads) {
        List<PromptMetrics> rows = run.prompts();
        AtomicFiles.write(dir.resolve("head_stats.json"), json(headStats(rows, skipped, layers, heads)), "the corpus results");
        AtomicFiles.write(dir.resolve("layer_stats.json"), json(layerStats(rows, layers, heads)), "the corpus results");
        AtomicFiles.write(dir.resolve("per_prompt.jsonl"), w -> writePerPrompt(w, prompts, rows, layers, heads), "the corpus results");
        HeadAtlas atlas = HeadAtlas.of(layers, heads, run.meanDistance(), run.meanThumbnails());
        AtomicFiles.write(dir.resolve("atlas.json"), json(atlas(atlas, rows.size())), "the corpus results");
    }

    /** {"prompts", "skipped", "metrics": {NAME: {"prompts", "mean", "std", "p10", "p50", "p90"} of [L][H]}}. */
    static Map<String, Object> headStats(List<PromptMetrics> rows, int skipped, int layers, int heads) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompts", rows.size());
        out.put("skipped", skipped);
        out.put("layers", layers);
        out.put("heads", heads);
        out.put("metrics", metricStats(rows, (row, m) -> row.values()[m], false));
        return out;
    }

    /** As head_stats.json for each prompt's layer means (mean over the layer's heads): [L]. */
    static Map<String, Object> layerStats(List<PromptMetrics> rows, int layers, int heads) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompts", rows.size());
        out.put("layers", layers);
        out.put("metrics", metricStats(rows, (row, m) -> new double[][] {AttentionStatistics.layerMeans(row.values()[m])}, true));
        return out;
    }

    /**
     * For every metric, the distribution over prompts of each cell of {@code table(prompt, metric)}.
     *
     * @param oneRow the table is one row: write its statistics as [n] rather than [1][n]
     */
    private static Map<String, Object> metricStats(List<PromptMetrics> rows, BiFunction<PromptMetrics, Integer, double[][]> table,
                                                   boolean oneRow) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (int m = 0; m < CorpusAnalysis.METRICS.size(); m++) {
            List<double[][]> tables = new ArrayList<>();
            for (PromptMetrics row : rows) {
                tables.add(table.apply(row, m));
            }
            double[][] first = tables.get(0);
            Distribution[][] d = new Distribution[first.length][first[0].length];
            for (int i = 0; i < d.length; i++) {
                for (int j = 0; j < d[i].length; j++) {
                    double[] values = new double[tables.size()];
                    for (int k = 0; k < values.length; k++) {
                        values[k] = tables.get(k)[i][j];
                    }
                    d[i][j] = Distribution.of(values);
                }
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            summary(d).forEach((key, value) -> entry.put(key, oneRow ? ((List<?>) value).get(0) : value));
            entry.put("prompts", applicable(rows, m));
            metrics.put(CorpusAnalysis.METRICS.get(m), entry);
        }
        return metrics;
    }

    /**
     * {"prompts", "layers", "heads_per_layer", "distance": [n][n], "heads": [{layer, head, x, y}]} (classical MDS),
     * "thumbnail_size" and "thumbnails": [n][size·size] (each head's mean pattern, {@link PatternThumbnail}).
     */
    static Map<String, Object> atlas(HeadAtlas atlas, int prompts) {
        int layers = atlas.layers();
        int heads = atlas.heads();
        double[][] xy = atlas.xy();
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < xy.length; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("layer", i / heads);
            p.put("head", i % heads);
            p.put("x", xy[i][0]);
            p.put("y", xy[i][1]);
            points.add(p);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompts", prompts);
        out.put("layers", layers);
        out.put("heads_per_layer", heads);
        out.put("divergence", "mean over prompts of the mean over query rows of Jensen-Shannon (natural log)");
        out.put("distance", atlas.distance());
        out.put("heads", points);
        out.put("thumbnail_size", PatternThumbnail.SIZE);
        out.put("thumbnails", atlas.thumbnails());
        return out;
    }

    private static int applicable(List<PromptMetrics> rows, int metric) {
        int n = 0;
        for (PromptMetrics row : rows) {
            n += Double.isNaN(row.values()[metric][0][0]) ? 0 : 1;
        }
        return n;
    }

    private static Map<String, Object> summary(Distribution[][] d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mean", table(d, Distribution::mean));
        out.put("std", table(d, Distribution::std));
        out.put("p10", table(d, Distribution::p10));
        out.put("p50", table(d, Distribution::p50));
        out.put("p90", table(d, Distribution::p90));
        return out;
    }

    private static List<Object> table(Distribution[][] d, java.util.function.ToDoubleFunction<Distribution> part) {
        List<Object> rows = new ArrayList<>();
        for (Distribution[] row : d) {
            List<Double> values = new ArrayList<>();
            for (Distribution x : row) {
                values.add(finite(part.applyAsDouble(x)));
            }
            rows.add(values);
        }
        return rows;
    }

    /** One JSON object a line for each prompt and head, in corpus order then layer, head. */
    private static void writePerPrompt(Writer w, List<CorpusPrompt> prompts, List<PromptMetrics> rows, int layers, int heads)
            throws IOException {
        for (PromptMetrics row : rows) {
            CorpusPrompt prompt = prompts.get(row.index());
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("prompt", row.index());
                    o.put("line", prompt.line());
                    o.put("id", prompt.id());
                    o.put("label", prompt.label());
                    o.put("split", prompt.split());
                    o.put("tokens", row.tokens());
                    o.put("layer", l);
                    o.put("head", h);
                    for (int m = 0; m < CorpusAnalysis.METRICS.size(); m++) {
                        o.put(CorpusAnalysis.METRICS.get(m), finite(row.values()[m][l][h]));
                    }
                    GSON.toJson(o, w);
                    w.write('\n');
                }
            }
        }
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }


    private static AtomicFiles.Content json(Object document) {
        return w -> {
            GSON.toJson(document, w);
            w.write('\n');
        };
    }

}
