package headwise.engine.corpus;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A corpus output folder read back (the app opens one without running again): the statistics of head_stats.json and
 * layer_stats.json, the atlas, every prompt's per-head values from per_prompt.jsonl, and run.json (null for a run
 * of an older version). Missing values (a metric that does not apply) are NaN.
 *
 * @param headStats  metric → statistic ({@link #STATISTICS}) → [layer][head]
 * @param layerStats metric → statistic → [layer]
 * @param rows       the prompts in corpus order
 * @param perPrompt  metric index ({@link CorpusAnalysis#METRICS}) → prompt → head index (layer·heads + head)
 */
public record CorpusResults(Path dir, int prompts, int skipped, int layers, int heads, Map<String, Map<String, double[][]>> headStats,
                            Map<String, Map<String, double[]>> layerStats, HeadAtlas atlas, List<PromptRow> rows,
                            float[][][] perPrompt, CorpusRunInfo info) {

    public static final List<String> STATISTICS = List.of("mean", "std", "p10", "p50", "p90");

    /** One prompt's description in per_prompt.jsonl. */
    public record PromptRow(int prompt, int line, String id, String label, int tokens) {
    }

    /** A prompt and its value for one head and metric. */
    public record Ranked(PromptRow row, double value) {
    }

    public static CorpusResults read(Path dir) {
        JsonObject head = object(dir.resolve("head_stats.json"));
        JsonObject layer = object(dir.resolve("layer_stats.json"));
        JsonObject atlasJson = object(dir.resolve("atlas.json"));
        Path rowsFile = dir.resolve("per_prompt.jsonl");
        try {
            int layers = head.get("layers").getAsInt();
            int heads = head.get("heads").getAsInt();
            Map<String, Map<String, double[][]>> headStats = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> m : head.getAsJsonObject("metrics").entrySet()) {
                Map<String, double[][]> stats = new LinkedHashMap<>();
                for (String s : STATISTICS) {
                    stats.put(s, table(m.getValue().getAsJsonObject().getAsJsonArray(s)));
                }
                headStats.put(m.getKey(), stats);
            }
            Map<String, Map<String, double[]>> layerStats = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> m : layer.getAsJsonObject("metrics").entrySet()) {
                Map<String, double[]> stats = new LinkedHashMap<>();
                for (String s : STATISTICS) {
                    stats.put(s, row(m.getValue().getAsJsonObject().getAsJsonArray(s)));
                }
                layerStats.put(m.getKey(), stats);
            }
            int prompts = head.get("prompts").getAsInt();
            List<PromptRow> rows = new ArrayList<>();
            float[][][] perPrompt = readRows(rowsFile, prompts, layers, heads, rows);
            return new CorpusResults(dir, prompts, head.get("skipped").getAsInt(), layers, heads, headStats, layerStats,
                    atlas(atlasJson, layers, heads), rows, perPrompt, CorpusRunInfo.read(dir));
        } catch (RuntimeException e) {
            if (e instanceof HeadwiseException h) {
                throw h;
            }
            throw HeadwiseException.inFile(dir, "not a complete corpus output folder: " + e);
        }
    }

    /**
     * The {@code k} prompts where head {@code index} scores highest (or lowest) on {@code metric}, best first;
     * prompts where the metric does not apply are left out.
     */
    public List<Ranked> ranked(String metric, int index, boolean highest, int k) {
        int m = CorpusAnalysis.METRICS.indexOf(metric);
        float[][] values = perPrompt[m];
        Comparator<Integer> order = Comparator.comparingDouble(p -> values[p][index]);
        return IntStream.range(0, values.length).boxed().filter(p -> !Float.isNaN(values[p][index]))
                .sorted(highest ? order.reversed() : order).limit(k)
                .map(p -> new Ranked(rows.get(p), values[p][index])).toList();
    }

    private static float[][][] readRows(Path file, int prompts, int layers, int heads, List<PromptRow> rows) {
        List<String> metrics = CorpusAnalysis.METRICS;
        int n = layers * heads;
        checkSize(file, prompts, layers, heads);
        float[][][] out = new float[metrics.size()][prompts][n];
        int count = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                int p = o.get("prompt").getAsInt();
                int l = o.get("layer").getAsInt();
                int h = o.get("head").getAsInt();
                if (p < 0 || p >= prompts || l < 0 || l >= layers || h < 0 || h >= heads) {
                    throw HeadwiseException.inFile(file, "prompt " + p + ", layer " + l + ", head " + h + " outside the run's "
                            + prompts + " prompts of " + layers + " x " + heads + " heads");
                }
                if (l == 0 && h == 0) {
                    rows.add(new PromptRow(p, o.get("line").getAsInt(), string(o.get("id")), string(o.get("label")), o.get("tokens").getAsInt()));
                }
                for (int m = 0; m < metrics.size(); m++) {
                    JsonElement v = o.get(metrics.get(m));
                    out[m][p][l * heads + h] = v == null || v.isJsonNull() ? Float.NaN : v.getAsFloat();
                }
                count++;
            }
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(file, "missing: not a complete corpus output folder");
        } catch (IOException | JsonParseException | IllegalStateException | NullPointerException e) {
            throw HeadwiseException.inFile(file, "cannot read the per-prompt rows: " + e.getMessage());
        }
        if (count != prompts * n) {
            throw HeadwiseException.inFile(file, count + " rows, expected " + prompts + " prompts x " + n + " heads");
        }
        return out;
    }

    /** The rows head_stats.json announces must fit the file (a row is far over 40 bytes): no allocation beyond it. */
    private static void checkSize(Path file, int prompts, int layers, int heads) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "missing: not a complete corpus output folder");
        }
        if (prompts < 1 || layers < 1 || heads < 1 || (long) prompts * layers * heads > size / 40) {
            throw HeadwiseException.inFile(file, size + " bytes cannot hold the " + prompts + " prompts x " + layers + " x " + heads
                    + " heads head_stats.json announces");
        }
    }

    private static HeadAtlas atlas(JsonObject o, int layers, int heads) {
        double[][] distance = table(o.getAsJsonArray("distance"));
        JsonArray points = o.getAsJsonArray("heads");
        double[][] xy = new double[points.size()][2];
        for (int i = 0; i < xy.length; i++) {
            JsonObject p = points.get(i).getAsJsonObject();
            xy[i][0] = p.get("x").getAsDouble();
            xy[i][1] = p.get("y").getAsDouble();
        }
        double[][] thumbnails = o.has("thumbnails") ? table(o.getAsJsonArray("thumbnails")) : null;
        if (distance.length != layers * heads || xy.length != layers * heads) {
            throw new IllegalStateException("atlas.json is not " + layers + " x " + heads + " heads");
        }
        return new HeadAtlas(layers, heads, distance, xy, thumbnails);
    }

    private static JsonObject object(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(file, "missing: not a complete corpus output folder");
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw HeadwiseException.inFile(file, "not a corpus result file: " + e.getMessage());
        }
    }

    private static double[][] table(JsonArray rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = row(rows.get(i).getAsJsonArray());
        }
        return out;
    }

    private static double[] row(JsonArray values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).isJsonNull() ? Double.NaN : values.get(i).getAsDouble();
        }
        return out;
    }

    private static String string(JsonElement e) {
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
