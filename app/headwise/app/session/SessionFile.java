package headwise.app.session;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.io.AtomicFiles;
import headwise.engine.hooks.Interventions;
import headwise.engine.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A session as a JSON file: {@code {"format": "headwise-session", "version": 1, "model": …, "text": …,
 * "compare_text": …, "image": …, "layer": …, "head": …, "log_scale": …, "page": …, "interventions": {"ablated":
 * [[layer, head], …], "mode": "zero"|"mean", "zero_tuning": γ, "calibrate_sinks": …}, "query": …, "key": …,
 * "qk_layer": …, "qk_head": …, "importance": "zero"|"mean"|"gradient", "compare_model": …, "theme": "light"|"dark",
 * "relevance": {"method", "target", "position", "baseline", "computed"}, "keys": "position"|"classes"} (the last nine
 * optional: the heatmap's selected row and column, the q/k projection's head, the model view's bar measure, the second model compare mode runs on the
 * same input, "" for none, the window's theme, light when absent, so files written before themes read as they did, the
 * Relevance page's choices, whether the attention views group keys by token class). The reader treats the
 * file as hostile: size-capped, every field type-checked, anything wrong is one HeadwiseException line naming
 * the file. Writes go to a temporary file that replaces the old one, so a crash mid-write leaves the old file.
 */
public final class SessionFile {

    public static final String FORMAT = "headwise-session";
    public static final int VERSION = 1;
    /** A session is a few hundred bytes; the cap leaves room for a long input text. */
    static final long MAX_BYTES = 4L << 20;
    /** More ablated heads than any model has. */
    static final int MAX_ABLATED = 1 << 16;
    /** Longer than any folder path a file system allows. */
    static final int MAX_MODEL_NAME = 4096;

    private SessionFile() {
    }

    /** Reads a session; a HeadwiseException (one line, naming the file) when it is missing or not a session. */
    public static SessionState read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw HeadwiseException.inFile(file, "too large for a session file (" + Files.size(file) + " bytes)");
            }
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(file, "file not found");
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        JsonObject o = Json.readObject(file);
        String format = Json.optionalString(file, o, "format", "");
        if (!FORMAT.equals(format)) {
            throw HeadwiseException.inFile(file, "not a Headwise session (\"format\" is not \"" + FORMAT + "\")");
        }
        int version = Json.optionalInt(file, o, "version", VERSION);
        if (version != VERSION) {
            throw HeadwiseException.inFile(file, "session version " + version + " is not supported (this is version " + VERSION + ")");
        }
        Selection selection = new Selection(
                Json.optionalInt(file, o, "layer", 0),
                Json.optionalInt(file, o, "head", -1),
                Json.optionalBoolean(file, o, "log_scale", false),
                importance(file, Json.optionalString(file, o, "importance", ImportanceChoice.ZERO_ABLATION.key())),
                Json.optionalInt(file, o, "query", -1),
                Json.optionalInt(file, o, "key", -1),
                Json.optionalInt(file, o, "qk_layer", -1),
                Json.optionalInt(file, o, "qk_head", -1),
                relevance(file, o.get("relevance")),
                keys(file, Json.optionalString(file, o, "keys", "position")));
        return new SessionState(
                Json.optionalString(file, o, "model", null),
                Json.optionalString(file, o, "text", ""),
                Json.optionalString(file, o, "compare_text", ""),
                Json.optionalString(file, o, "image", ""),
                Json.optionalString(file, o, "page", ""),
                plan(file, o.get("interventions")),
                compareModel(file, Json.optionalString(file, o, "compare_model", "")),
                selection,
                theme(file, Json.optionalString(file, o, "theme", Theme.LIGHT.key())));
    }

    /** A model name or folder: one line of sane length (it is shown in the window and opened as a path). */
    private static String compareModel(Path file, String name) {
        if (name.length() > MAX_MODEL_NAME || name.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw HeadwiseException.inFile(file, "\"compare_model\" must be a model name or folder on one line of at most "
                    + MAX_MODEL_NAME + " characters");
        }
        return name;
    }

    private static Theme theme(Path file, String key) {
        Theme theme = Theme.ofKey(key);
        if (theme == null) {
            throw HeadwiseException.inFile(file, "\"theme\" must be \"light\" or \"dark\"");
        }
        return theme;
    }

    private static RelevanceChoice relevance(Path file, JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return RelevanceChoice.defaults();
        }
        if (!e.isJsonObject()) {
            throw HeadwiseException.inFile(file, "\"relevance\" must be an object");
        }
        JsonObject o = e.getAsJsonObject();
        String method = Json.optionalString(file, o, "method", RelevanceChoice.ALL);
        String baseline = Json.optionalString(file, o, "baseline", "");
        if (method.length() > 64 || baseline.length() > 64) {
            throw HeadwiseException.inFile(file, "\"relevance\" method and baseline must be short names");
        }
        return new RelevanceChoice(method, Json.optionalInt(file, o, "target", -1), Json.optionalInt(file, o, "position", -1), baseline,
                Json.optionalBoolean(file, o, "computed", false));
    }

    /** "position" or "classes": how the attention views lay out the keys. */
    private static boolean keys(Path file, String keys) {
        return switch (keys) {
            case "position" -> false;
            case "classes" -> true;
            default -> throw HeadwiseException.inFile(file, "\"keys\" must be \"position\" or \"classes\"");
        };
    }

    private static ImportanceChoice importance(Path file, String key) {
        ImportanceChoice choice = ImportanceChoice.ofKey(key);
        if (choice == null) {
            throw HeadwiseException.inFile(file, "\"importance\" must be \"zero\", \"mean\" or \"gradient\"");
        }
        return choice;
    }

    private static InterventionPlan plan(Path file, JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return InterventionPlan.none();
        }
        if (!e.isJsonObject()) {
            throw HeadwiseException.inFile(file, "\"interventions\" must be an object");
        }
        JsonObject o = e.getAsJsonObject();
        List<InterventionPlan.HeadRef> heads = new ArrayList<>();
        JsonElement ablated = o.get("ablated");
        if (ablated != null && !ablated.isJsonNull()) {
            if (!ablated.isJsonArray() || ablated.getAsJsonArray().size() > MAX_ABLATED) {
                throw HeadwiseException.inFile(file, "\"ablated\" must be a list of at most " + MAX_ABLATED + " [layer, head] pairs");
            }
            for (JsonElement pair : ablated.getAsJsonArray()) {
                heads.add(headRef(file, pair));
            }
        }
        String mode = Json.optionalString(file, o, "mode", "zero").toUpperCase(Locale.ROOT);
        Interventions.Ablation ablation;
        try {
            ablation = Interventions.Ablation.valueOf(mode);
        } catch (IllegalArgumentException bad) {
            throw HeadwiseException.inFile(file, "\"mode\" must be \"zero\" or \"mean\"");
        }
        return new InterventionPlan(heads, ablation, Json.optionalDouble(file, o, "zero_tuning", 1.0),
                Json.optionalBoolean(file, o, "calibrate_sinks", false));
    }

    private static InterventionPlan.HeadRef headRef(Path file, JsonElement pair) {
        try {
            JsonArray a = pair.getAsJsonArray();
            if (a.size() == 2) {
                int layer = a.get(0).getAsJsonPrimitive().getAsBigDecimal().intValueExact();
                int head = a.get(1).getAsJsonPrimitive().getAsBigDecimal().intValueExact();
                if (layer >= 0 && head >= 0) {
                    return new InterventionPlan.HeadRef(layer, head);
                }
            }
        } catch (RuntimeException bad) {
            // reported below
        }
        throw HeadwiseException.inFile(file, "\"ablated\" entries must be [layer, head] pairs of non-negative integers");
    }

    /** The JSON text of a session (keys in a fixed order, so the same session gives the same bytes). */
    public static String json(SessionState s) {
        Selection v = s.selection();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("format", FORMAT);
        o.put("version", VERSION);
        o.put("model", s.model());
        o.put("text", s.text());
        o.put("compare_text", s.compareText());
        o.put("image", s.image());
        o.put("layer", v.layer());
        o.put("head", v.head());
        o.put("log_scale", v.logScale());
        o.put("page", s.page());
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("ablated", s.plan().ablated().stream().map(r -> new int[] {r.layer(), r.head()}).toList());
        plan.put("mode", s.plan().mode().name().toLowerCase(Locale.ROOT));
        plan.put("zero_tuning", s.plan().zeroTuning());
        plan.put("calibrate_sinks", s.plan().calibrateSinks());
        o.put("interventions", plan);
        o.put("query", v.query());
        o.put("key", v.key());
        o.put("qk_layer", v.qkLayer());
        o.put("qk_head", v.qkHead());
        o.put("importance", v.importance().key());
        o.put("compare_model", s.compareModel());
        o.put("theme", s.theme().key());
        Map<String, Object> relevance = new LinkedHashMap<>();
        relevance.put("method", v.relevance().method());
        relevance.put("target", v.relevance().target());
        relevance.put("position", v.relevance().position());
        relevance.put("baseline", v.relevance().baseline());
        relevance.put("computed", v.relevance().computed());
        o.put("relevance", relevance);
        o.put("keys", v.keysByClass() ? "classes" : "position");
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    /** Writes {@code s} to {@code file} (its folder created), replacing it only once the new bytes are on disk. */
    public static void write(SessionState s, Path file) {
        AtomicFiles.write(file, w -> w.write(json(s)), "the session");
    }
}
