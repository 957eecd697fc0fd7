package headwise.engine.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** CSV (RFC 4180: quoted fields may hold commas, doubled quotes and newlines) with a header naming a "text" column. */
final class CsvPrompts {

    private CsvPrompts() {
    }

    static void read(String text, CorpusReader.Collector out) {
        List<Record> records = records(text);
        if (records.isEmpty()) {
            return;
        }
        List<String> header = records.get(0).fields;
        int textColumn = column(header, "text");
        if (textColumn < 0) {
            out.bad(records.get(0).line, "the CSV header has no \"text\" column: " + String.join(",", header));
            return;
        }
        int id = column(header, "id");
        int label = column(header, "label");
        int split = column(header, "split");
        for (Record r : records.subList(1, records.size())) {
            if (r.fields.size() == 1 && r.fields.get(0).isBlank()) {
                continue;
            }
            if (r.fields.size() != header.size()) {
                out.bad(r.line, "row has " + r.fields.size() + " fields, the header " + header.size());
                continue;
            }
            out.add(new CorpusPrompt(r.line, field(r, id), field(r, label), field(r, split), r.fields.get(textColumn), null));
        }
    }

    private record Record(int line, List<String> fields) {
    }

    private static int column(List<String> header, String name) {
        for (int k = 0; k < header.size(); k++) {
            if (header.get(k).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return k;
            }
        }
        return -1;
    }

    private static String field(Record r, int column) {
        return column < 0 ? null : r.fields.get(column);
    }

    /** Splits the text into records; each remembers the line it starts on. */
    private static List<Record> records(String text) {
        List<Record> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int start = 1;
        for (int i = 0; i < text.length(); i++) {
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
                records.add(new Record(start, List.copyOf(fields)));
                fields.clear();
                line++;
                start = line;
            } else {
                field.append(c);
            }
        }
        if (field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            records.add(new Record(start, List.copyOf(fields)));
        }
        return records;
    }
}
