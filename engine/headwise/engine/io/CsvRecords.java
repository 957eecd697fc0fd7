package headwise.engine.io;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * RFC 4180 records (the data files of the probe and corpus commands): comma-separated fields, double quotes around
 * fields that hold commas, doubled quotes or line breaks; a byte-order mark is skipped.
 */
public final class CsvRecords {

    /** One record's fields and the line (from 1) it starts on: a quoted field may span several lines. */
    public record Row(int line, List<String> fields) {
        /** An empty line (one empty field). */
        public boolean blank() {
            return fields.size() == 1 && fields.get(0).isBlank();
        }
    }

    private CsvRecords() {
    }

    /** Every record of {@code text}; a quoted field left open names {@code file} and its line. */
    public static List<Row> parse(Path file, String text) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int start = 1;
        for (int i = text.startsWith("\uFEFF") ? 1 : 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                field.setLength(0);
                rows.add(new Row(start, List.copyOf(fields)));
                fields.clear();
                line++;
                start = line;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw HeadwiseException.inFile(file, "line " + start + ": a quoted field is not closed");
        }
        if (field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            rows.add(new Row(start, List.copyOf(fields)));
        }
        return rows;
    }

    /** A header row's column names, trimmed and in lower case, for looking columns up by name. */
    public static List<String> columnNames(Row header) {
        return header.fields().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
    }
}
