package headwise.engine.json;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import headwise.engine.HeadwiseException;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks that text is JSON as strictly as Rust's serde_json reads it, before it is handed to native code that may
 * abort the whole process on input it cannot parse (the tokenizers library panics across JNI on some malformed
 * tokenizer.json files, and a panic there kills the JVM). Besides strict syntax (no comments, single quotes, NaN,
 * unescaped control characters or trailing data) it refuses what Gson would accept but serde_json would not:
 * numbers beyond the double range, unpaired UTF-16 surrogate escapes, nesting deeper than serde_json's recursion
 * limit, and duplicate keys. Iterative, so hostile nesting cannot overflow the stack.
 */
public final class StrictJson {

    /** serde_json refuses nesting deeper than 128. */
    static final int MAX_DEPTH = 128;

    private StrictJson() {
    }

    /** Throws a HeadwiseException naming {@code file} unless {@code text} is one strict JSON object. */
    public static void checkObject(Path file, String text) {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        Deque<Set<String>> keys = new ArrayDeque<>();
        try {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw HeadwiseException.inFile(file, "not a JSON object");
            }
            do {
                JsonToken token = reader.peek();
                switch (token) {
                    case BEGIN_OBJECT -> {
                        depth(file, reader, keys.size());
                        reader.beginObject();
                        keys.push(new HashSet<>());
                    }
                    case BEGIN_ARRAY -> {
                        depth(file, reader, keys.size());
                        reader.beginArray();
                        keys.push(Set.of());
                    }
                    case END_OBJECT -> {
                        reader.endObject();
                        keys.pop();
                    }
                    case END_ARRAY -> {
                        reader.endArray();
                        keys.pop();
                    }
                    case NAME -> {
                        String name = reader.nextName();
                        text(file, reader, name);
                        if (!keys.peek().add(name)) {
                            throw HeadwiseException.inFile(file, "not valid JSON: key \"" + shorten(name) + "\" appears twice at "
                                    + reader.getPath());
                        }
                    }
                    case STRING -> text(file, reader, reader.nextString());
                    case NUMBER -> {
                        String number = reader.nextString();
                        if (Double.isInfinite(Double.parseDouble(number))) {
                            throw HeadwiseException.inFile(file, "not valid JSON: number " + shorten(number) + " out of range at "
                                    + reader.getPath());
                        }
                    }
                    case BOOLEAN -> reader.nextBoolean();
                    case NULL -> reader.nextNull();
                    case END_DOCUMENT -> throw HeadwiseException.inFile(file, "not valid JSON: ends early");
                }
            } while (!keys.isEmpty());
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw HeadwiseException.inFile(file, "not valid JSON: more data after the object");
            }
        } catch (MalformedJsonException | EOFException | NumberFormatException | IllegalStateException e) {
            throw HeadwiseException.inFile(file, "not valid JSON: " + firstLine(e));
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + firstLine(e));
        }
    }

    private static void depth(Path file, JsonReader reader, int depth) {
        if (depth >= MAX_DEPTH) {
            throw HeadwiseException.inFile(file, "not valid JSON: nested more than " + MAX_DEPTH + " deep at " + reader.getPath());
        }
    }

    /** Strings must be valid Unicode: a \\uD800 escape without its pair is refused. */
    private static void text(Path file, JsonReader reader, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw HeadwiseException.inFile(file, "not valid JSON: unpaired surrogate \\u" + Integer.toHexString(c) + " at "
                        + reader.getPath());
            }
        }
    }

    private static String shorten(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "…";
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String line = message.lines().findFirst().orElse(message);
        // Gson's advice to its own users means nothing to ours
        return line.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
    }
}
