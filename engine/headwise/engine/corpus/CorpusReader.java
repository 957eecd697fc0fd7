package headwise.engine.corpus;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a corpus file by its extension: {@code .jsonl}/{@code .json} (one object a line, {"text"} or {"ids"}, optional
 * "id", "label", "split"), {@code .csv} (a header row with a "text" column, optional id/label/split columns), anything
 * else as plain text (one prompt a line). Blank lines are no prompts. A bad line is one {@link HeadwiseException}
 * "FILE:LINE: problem"; with {@code skipBad} it is counted in {@link Result#skipped()} instead.
 */
public final class CorpusReader {

    /** What was read, and the bad lines passed over (their messages, in file order). */
    public record Result(List<CorpusPrompt> prompts, List<String> skipped) {
    }

    private CorpusReader() {
    }

    public static Result read(Path file, boolean skipBad) {
        String text = readText(file);
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        Collector out = new Collector(file, skipBad);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            readJsonLines(text, out);
        } else if (name.endsWith(".csv")) {
            CsvPrompts.read(file, text, out);
        } else {
            readPlainLines(text, out);
        }
        if (out.prompts.isEmpty()) {
            throw HeadwiseException.inFile(file, out.skipped.isEmpty() ? "no prompts in the file (it is empty)"
                    : "no usable prompts (" + out.skipped.size() + " bad lines, the first: " + out.skipped.get(0) + ")");
        }
        return new Result(List.copyOf(out.prompts), List.copyOf(out.skipped));
    }

    /** Gathers prompts and, with skip-bad, bad lines; otherwise the first bad line ends the read. */
    static final class Collector {
        final Path file;
        final boolean skipBad;
        final List<CorpusPrompt> prompts = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();

        Collector(Path file, boolean skipBad) {
            this.file = file;
            this.skipBad = skipBad;
        }

        void add(CorpusPrompt prompt) {
            prompts.add(prompt);
        }

        void bad(int line, String problem) {
            String message = file + ":" + line + ": " + problem;
            if (!skipBad) {
                throw new HeadwiseException(message);
            }
            skipped.add(message);
        }
    }

    private static String readText(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(file, "file not found");
        } catch (CharacterCodingException e) {
            throw HeadwiseException.inFile(file, "not UTF-8 text");
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw HeadwiseException.inFile(file, "too large to read into memory");
        }
    }

    private static void readPlainLines(String text, Collector out) {
        String[] lines = text.split("\r?\n", -1);
        for (int k = 0; k < lines.length; k++) {
            if (!lines[k].isBlank()) {
                out.add(new CorpusPrompt(k + 1, null, null, null, lines[k], null));
            }
        }
    }

    private static void readJsonLines(String text, Collector out) {
        String[] lines = text.split("\r?\n", -1);
        for (int k = 0; k < lines.length; k++) {
            if (lines[k].isBlank()) {
                continue;
            }
            int line = k + 1;
            JsonElement parsed;
            try {
                parsed = JsonParser.parseString(lines[k]);
            } catch (JsonParseException | StackOverflowError e) {
                out.bad(line, "not a JSON object: " + HeadwiseException.quote(lines[k]));
                continue;
            }
            if (!parsed.isJsonObject()) {
                out.bad(line, "not a JSON object: " + HeadwiseException.quote(lines[k]));
                continue;
            }
            try {
                out.add(prompt(line, parsed.getAsJsonObject()));
            } catch (IllegalArgumentException e) {
                out.bad(line, e.getMessage());
            }
        }
    }

    private static CorpusPrompt prompt(int line, JsonObject o) {
        String text = optionalString(o, "text");
        int[] ids = o.has("ids") ? ids(o.get("ids")) : null;
        if ((text == null) == (ids == null)) {
            throw new IllegalArgumentException("give exactly one of \"text\" and \"ids\"");
        }
        return new CorpusPrompt(line, optionalString(o, "id"), optionalString(o, "label"), optionalString(o, "split"), text, ids);
    }

    /** A string field, or a number given for it (ids and labels are often numbers); null when absent or null. */
    private static String optionalString(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException("\"" + key + "\" is not a string");
        }
        return e.getAsString();
    }

    private static int[] ids(JsonElement e) {
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException("\"ids\" is not an array of token ids");
        }
        JsonArray array = e.getAsJsonArray();
        int[] ids = new int[array.size()];
        for (int k = 0; k < ids.length; k++) {
            JsonElement x = array.get(k);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException("\"ids\" holds " + HeadwiseException.quote(x.toString()) + ", not a token id");
            }
            double v = x.getAsDouble();
            if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("\"ids\" holds " + x + ", not an integer token id");
            }
            ids[k] = (int) v;
        }
        return ids;
    }
}
