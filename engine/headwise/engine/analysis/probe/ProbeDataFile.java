package headwise.engine.analysis.probe;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;
import headwise.engine.io.CsvRecords;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a probing data set: JSONL (one object per line: "text" or "ids", "label", optional "split") or CSV (a header
 * naming the columns text or ids, label, optional split; ids separated by spaces or commas). Every bad row is one
 * clear error naming the file and the row.
 */
public final class ProbeDataFile {

    private ProbeDataFile() {
    }

    public static List<ProbeExample> read(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read the data file (" + e.getMessage() + ")", e);
        }
        List<ProbeExample> examples;
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            examples = readJsonLines(file, content);
        } else if (name.endsWith(".csv")) {
            examples = readCsv(file, content);
        } else {
            throw HeadwiseException.inFile(file, "unknown data format: give a .jsonl or .csv file");
        }
        if (examples.isEmpty()) {
            throw HeadwiseException.inFile(file, "no examples in the data file");
        }
        boolean anySplit = examples.stream().anyMatch(e -> e.split() != null);
        for (ProbeExample e : examples) {
            if (anySplit && e.split() == null) {
                throw HeadwiseException.inFile(file, "row " + e.row() + " has no split, but other rows have one: give every row a split or none");
            }
        }
        return examples;
    }

    private static List<ProbeExample> readJsonLines(Path file, String content) {
        List<ProbeExample> out = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            int row = i + 1;
            JsonObject object;
            try {
                JsonElement element = JsonParser.parseString(lines[i]);
                if (!element.isJsonObject()) {
                    throw HeadwiseException.inFile(file, "row " + row + " is not a JSON object");
                }
                object = element.getAsJsonObject();
            } catch (JsonParseException e) {
                throw HeadwiseException.inFile(file, "row " + row + " is not valid JSON (" + firstLine(e.getMessage()) + ")");
            }
            out.add(example(file, row, string(file, row, object, "text"), idsOf(file, row, object.get("ids")),
                    string(file, row, object, "label"), string(file, row, object, "split")));
        }
        return out;
    }

    private static List<ProbeExample> readCsv(Path file, String content) {
        List<CsvRecords.Row> records = CsvRecords.parse(file, content);
        if (records.isEmpty()) {
            throw HeadwiseException.inFile(file, "no header row");
        }
        List<String> header = CsvRecords.columnNames(records.get(0));
        int text = header.indexOf("text");
        int ids = header.indexOf("ids");
        int label = header.indexOf("label");
        int split = header.indexOf("split");
        if (label < 0 || (text < 0 && ids < 0)) {
            throw HeadwiseException.inFile(file, "the header must name a 'label' column and a 'text' or 'ids' column, has " + header);
        }
        List<ProbeExample> out = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> fields = records.get(r).fields();
            if (records.get(r).blank()) {
                continue;
            }
            if (fields.size() != header.size()) {
                throw HeadwiseException.inFile(file, "row " + r + " has " + fields.size() + " fields, the header " + header.size());
            }
            out.add(example(file, r, text < 0 ? null : fields.get(text), ids < 0 ? null : parseIds(file, r, fields.get(ids)),
                    fields.get(label), split < 0 ? null : fields.get(split)));
        }
        return out;
    }

    private static ProbeExample example(Path file, int row, String text, int[] ids, String label, String split) {
        boolean hasText = text != null && !text.isEmpty();
        boolean hasIds = ids != null && ids.length > 0;
        if (hasText == hasIds) {
            throw HeadwiseException.inFile(file, "row " + row + (hasText ? " has both text and ids" : " has neither text nor ids")
                    + ": give exactly one");
        }
        if (label == null || label.isBlank()) {
            throw HeadwiseException.inFile(file, "row " + row + " has no label");
        }
        return new ProbeExample(row, hasText ? text : null, hasIds ? ids : null, label.trim(), split(file, row, split));
    }

    private static ProbeExample.Split split(Path file, int row, String split) {
        if (split == null || split.isBlank()) {
            return null;
        }
        return switch (split.trim().toLowerCase(Locale.ROOT)) {
            case "train" -> ProbeExample.Split.TRAIN;
            case "test" -> ProbeExample.Split.TEST;
            default -> throw HeadwiseException.inFile(file, "row " + row + ": split '" + split + "' is neither train nor test");
        };
    }

    /** A string field; numbers and booleans as written (a label 1 or true is the label "1" or "true"). */
    private static String string(Path file, int row, JsonObject object, String key) {
        JsonElement value = object.get(key);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonPrimitive()) {
            throw HeadwiseException.inFile(file, "row " + row + ": \"" + key + "\" must be a string or a number");
        }
        return value.getAsString();
    }

    private static int[] idsOf(Path file, int row, JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonArray()) {
            throw HeadwiseException.inFile(file, "row " + row + ": \"ids\" must be an array of token ids");
        }
        JsonArray array = value.getAsJsonArray();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonElement id = array.get(i);
            if (!id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber() || id.getAsDouble() != Math.rint(id.getAsDouble())
                    || Math.abs(id.getAsDouble()) > Integer.MAX_VALUE) {
                throw HeadwiseException.inFile(file, "row " + row + ": ids[" + i + "] = " + id + " is not an integer token id");
            }
            ids[i] = id.getAsInt();
        }
        return ids;
    }

    private static int[] parseIds(Path file, int row, String field) {
        if (field == null || field.isBlank()) {
            return null;
        }
        String[] parts = field.trim().split("[\\s,]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw HeadwiseException.inFile(file, "row " + row + ": '" + parts[i] + "' is not an integer token id");
            }
        }
        return ids;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
