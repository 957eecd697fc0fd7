package headwise.engine.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading JSON files and typed fields from them, with errors that name the file and the key. */
public final class Json {

    /** JSON files we read (configs, indexes) are small; refuse anything that is not. */
    static final long MAX_JSON_BYTES = 64L << 20;

    private Json() {
    }

    public static JsonObject readObject(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_JSON_BYTES) {
                throw HeadwiseException.inFile(file, "too large for a JSON file (" + Files.size(file) + " bytes)");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(file, "file not found");
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        return parseObject(file, text);
    }

    public static JsonObject parseObject(Path file, String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException | StackOverflowError e) {
            throw HeadwiseException.inFile(file, "not valid JSON");
        }
        if (root == null || !root.isJsonObject()) {
            throw HeadwiseException.inFile(file, "not a JSON object");
        }
        return root.getAsJsonObject();
    }

    /** A required positive integer field. */
    public static int positiveInt(Path file, JsonObject o, String... keys) {
        for (String key : keys) {
            JsonElement e = o.get(key);
            if (e != null && !e.isJsonNull()) {
                int v = intValue(file, key, e);
                if (v <= 0) {
                    throw HeadwiseException.inFile(file, "\"" + key + "\" must be positive, is " + v);
                }
                return v;
            }
        }
        throw HeadwiseException.inFile(file, "missing \"" + keys[0] + "\"");
    }

    public static int optionalInt(Path file, JsonObject o, String key, int fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : intValue(file, key, e);
    }

    public static double optionalDouble(Path file, JsonObject o, String key, double fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        try {
            double v = e.getAsJsonPrimitive().getAsDouble();
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (RuntimeException bad) {
            throw HeadwiseException.inFile(file, "\"" + key + "\" must be a number");
        }
    }

    public static String optionalString(Path file, JsonObject o, String key, String fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive()) {
            throw HeadwiseException.inFile(file, "\"" + key + "\" must be a string");
        }
        return e.getAsString();
    }

    public static boolean optionalBoolean(Path file, JsonObject o, String key, boolean fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw HeadwiseException.inFile(file, "\"" + key + "\" must be true or false");
        }
        return e.getAsBoolean();
    }

    private static int intValue(Path file, String key, JsonElement e) {
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().intValueExact();
        } catch (RuntimeException bad) {
            throw HeadwiseException.inFile(file, "\"" + key + "\" must be an integer");
        }
    }
}
