package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 records: comma-separated fields, double quotes around fields with commas, quotes ("") or line breaks. */
final class Csv {

    private Csv() {
    }

    static List<List<String>> parse(Path file, String content) {
        List<List<String>> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int record = 0;
        int i = content.startsWith("\uFEFF") ? 1 : 0; // a byte-order mark is not part of the first field
        while (i < content.length()) {
            char ch = content.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < content.length() && content.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"' && field.length() == 0) {
                quoted = true;
            } else if (ch == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < content.length() && content.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                field.setLength(0);
                records.add(fields);
                fields = new ArrayList<>();
                record++;
            } else {
                field.append(ch);
            }
            i++;
        }
        if (quoted) {
            throw HeadwiseException.inFile(file, "row " + record + ": a quoted field is not closed");
        }
        if (field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            records.add(fields);
        }
        return records;
    }
}
