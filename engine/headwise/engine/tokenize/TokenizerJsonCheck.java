package headwise.engine.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Checks in Java what the native tokenizers library does not check before it panics, which aborts the whole JVM:
 * found by fuzzing ({@code headwise.fuzz}). A TemplateProcessing post-processor whose template names a special token
 * that its {@code special_tokens} map lacks panics on every encode ("no entry found for key"); so does any
 * post-processor with a template ({@code single}, {@code pair}) under another {@code type}, which the library
 * takes for a TemplateProcessing all the same.
 */
final class TokenizerJsonCheck {

    private TokenizerJsonCheck() {
    }

    static void check(Path file, JsonObject root) {
        JsonElement post = root.get("post_processor");
        Deque<JsonElement> pending = new ArrayDeque<>();
        if (post != null) {
            pending.push(post);
        }
        while (!pending.isEmpty()) {
            JsonElement e = pending.pop();
            if (!e.isJsonObject()) {
                continue;
            }
            JsonObject processor = e.getAsJsonObject();
            JsonElement processors = processor.get("processors"); // a Sequence
            if (processors != null && processors.isJsonArray()) {
                processors.getAsJsonArray().forEach(pending::push);
            }
            // the library reads a post-processor with a template's fields as TemplateProcessing whatever its "type" says
            if (isType(processor, "TemplateProcessing") || processor.has("single") || processor.has("pair")) {
                checkTemplate(file, processor);
            }
        }
    }

    private static void checkTemplate(Path file, JsonObject template) {
        JsonElement special = template.get("special_tokens");
        JsonObject specials = special != null && special.isJsonObject() ? special.getAsJsonObject() : new JsonObject();
        for (String key : specials.keySet()) {
            JsonElement token = specials.get(key);
            if (token.isJsonObject()) {
                JsonElement ids = token.getAsJsonObject().get("ids");
                JsonElement tokens = token.getAsJsonObject().get("tokens");
                if (ids != null && tokens != null && ids.isJsonArray() && tokens.isJsonArray()
                        && ids.getAsJsonArray().size() != tokens.getAsJsonArray().size()) {
                    throw bad(file, "special token \"" + key + "\" has " + ids.getAsJsonArray().size() + " ids but "
                            + tokens.getAsJsonArray().size() + " tokens");
                }
            }
        }
        for (String part : new String[] {"single", "pair"}) {
            JsonElement pieces = template.get(part);
            if (pieces == null || !pieces.isJsonArray()) {
                continue;
            }
            for (JsonElement piece : (JsonArray) pieces) {
                JsonElement specialToken = piece.isJsonObject() ? piece.getAsJsonObject().get("SpecialToken") : null;
                JsonElement id = specialToken != null && specialToken.isJsonObject() ? specialToken.getAsJsonObject().get("id") : null;
                if (id != null && id.isJsonPrimitive() && !specials.has(id.getAsString())) {
                    throw bad(file, "its \"" + part + "\" template uses the special token \"" + id.getAsString()
                            + "\", which \"special_tokens\" does not define");
                }
            }
        }
    }

    private static boolean isType(JsonObject o, String type) {
        JsonElement t = o.get("type");
        return t != null && t.isJsonPrimitive() && type.equals(t.getAsString());
    }

    private static HeadwiseException bad(Path file, String problem) {
        return HeadwiseException.inFile(file, "cannot load tokenizer: post_processor: " + problem);
    }
}
