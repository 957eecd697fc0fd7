package headwise.engine.analysis.probe;

import com.google.gson.GsonBuilder;
import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * probe.json: {"layers": [{"layer", "accuracy", "f1", "auc"}] (exactly L entries, layer = 0-based block), "embedding":
 * {"accuracy", "f1", "auc"}, "depth", "n_train", "n_test", "seed" (null when the file gave the split), "split":
 * {"source": "file" | "stratified", "train": [example indices], "test": [...]}, "labels" (sorted; two classes: the
 * last is "positive"), "site", "position", "noise" (σ of the noise on the embeddings, 0 for none), "model", "data", "heads" ([L][H] accuracies, when asked for),
 * with attentive probes "queries", "attentive" (like "layers"), "attentive_embedding", "attentive_depth" and "attention"
 * ({"example", "row", "tokens", "weights" [L][M][T]}), and "variants": [{"name", "layers", "embedding", "depth", and the
 * attentive entries}] (noise on the embeddings, lower-precision copies; [] when none)}. "layers", "embedding" and
 * "depth" are always the model as loaded, without noise.
 */
public final class ProbeReport {

    private ProbeReport() {
    }

    public static Map<String, Object> json(ProbeResult result, String model, Path data) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("layers", layers(result.linear()));
        json.put("embedding", score(result.embedding()));
        json.put("depth", result.depth());
        json.put("n_train", result.split().train().length);
        json.put("n_test", result.split().test().length);
        json.put("seed", result.split().seed());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("source", result.split().seed() == null ? "file" : "stratified");
        split.put("train", result.split().train());
        split.put("test", result.split().test());
        json.put("split", split);
        json.put("labels", result.labels());
        if (result.labels().size() == 2) {
            json.put("positive", result.labels().get(1));
        }
        json.put("site", result.settings().site().hook());
        json.put("position", result.settings().pooling().name().toLowerCase(Locale.ROOT));
        json.put("noise", result.settings().noise());
        json.put("model", model);
        json.put("data", data.toString());
        if (result.headAccuracy() != null) {
            json.put("heads", result.headAccuracy());
        }
        if (result.attentive() != null) {
            json.put("queries", result.settings().attentiveQueries());
            json.put("attentive", layers(result.attentive()));
            json.put("attentive_embedding", score(result.attentive().embedding()));
            json.put("attentive_depth", result.attentive().depth());
        }
        if (result.attention() != null) {
            Map<String, Object> attention = new LinkedHashMap<>();
            attention.put("example", result.attention().example());
            attention.put("row", result.attention().row());
            attention.put("tokens", result.attention().tokens());
            attention.put("weights", result.attention().weights());
            json.put("attention", attention);
        }
        List<Map<String, Object>> variants = new ArrayList<>();
        for (ProbeVariant variant : result.variants()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", variant.name());
            entry.put("layers", layers(variant.linear()));
            entry.put("embedding", score(variant.linear().embedding()));
            entry.put("depth", variant.linear().depth());
            if (variant.attentive() != null) {
                entry.put("attentive", layers(variant.attentive()));
                entry.put("attentive_embedding", score(variant.attentive().embedding()));
                entry.put("attentive_depth", variant.attentive().depth());
            }
            variants.add(entry);
        }
        json.put("variants", variants);
        return json;
    }

    public static void write(Path file, ProbeResult result, String model, Path data) {
        try {
            Files.writeString(file, new GsonBuilder().serializeNulls().disableHtmlEscaping().create()
                    .toJson(json(result, model, data)) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * The scores as CSV, one row per probe: {@code probe,variant,layer,head,accuracy,f1,auc}; probe is linear,
     * attentive or head; variant empty for the model as loaded; layer "embedding" or the block; head only for head
     * probes (which have only an accuracy).
     */
    public static String csv(ProbeResult result) {
        StringBuilder out = new StringBuilder("probe,variant,layer,head,accuracy,f1,auc\n");
        curveRows(out, "linear", "", result.linear());
        curveRows(out, "attentive", "", result.attentive());
        for (ProbeVariant variant : result.variants()) {
            curveRows(out, "linear", variant.name(), variant.linear());
            curveRows(out, "attentive", variant.name(), variant.attentive());
        }
        double[][] heads = result.headAccuracy();
        for (int l = 0; heads != null && l < heads.length; l++) {
            for (int h = 0; h < heads[l].length; h++) {
                out.append("head,,").append(l).append(',').append(h).append(',').append(heads[l][h]).append(",,\n");
            }
        }
        return out.toString();
    }

    private static void curveRows(StringBuilder out, String probe, String variant, ProbeCurve curve) {
        if (curve == null) {
            return;
        }
        String prefix = probe + "," + csvField(variant) + ",";
        row(out, prefix + "embedding,,", curve.embedding());
        for (int l = 0; l < curve.layers().size(); l++) {
            row(out, prefix + l + ",,", curve.layers().get(l));
        }
    }

    /** RFC 4180: quoted (inner quotes doubled) when it holds a comma, a quote or a line break. */
    private static String csvField(String text) {
        return text.matches("[^,\"\r\n]*") ? text : "\"" + text.replace("\"", "\"\"") + "\"";
    }

    private static void row(StringBuilder out, String prefix, ProbeScore score) {
        out.append(prefix).append(score.accuracy()).append(',').append(score.f1()).append(',').append(score.auc()).append('\n');
    }

    /** [{"layer", "accuracy", "f1", "auc"}], exactly one entry per block. */
    private static List<Map<String, Object>> layers(ProbeCurve curve) {
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < curve.layers().size(); l++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("layer", l);
            entry.putAll(score(curve.layers().get(l)));
            layers.add(entry);
        }
        return layers;
    }

    private static Map<String, Object> score(ProbeScore score) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", score.accuracy());
        out.put("f1", score.f1());
        out.put("auc", score.auc());
        return out;
    }
}
