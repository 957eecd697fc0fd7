package headwise.engine.corpus;

import headwise.engine.io.CsvRecords;

import java.nio.file.Path;
import java.util.List;

/** CSV (RFC 4180: quoted fields may hold commas, doubled quotes and newlines) with a header naming a "text" column. */
final class CsvPrompts {

    private CsvPrompts() {
    }

    static void read(Path file, String text, CorpusReader.Collector out) {
        List<CsvRecords.Row> records = CsvRecords.parse(file, text);
        if (records.isEmpty()) {
            return;
        }
        List<String> header = CsvRecords.columnNames(records.get(0));
        int textColumn = header.indexOf("text");
        if (textColumn < 0) {
            out.bad(records.get(0).line(), "the CSV header has no \"text\" column: " + String.join(",", records.get(0).fields()));
            return;
        }
        int id = header.indexOf("id");
        int label = header.indexOf("label");
        int split = header.indexOf("split");
        for (CsvRecords.Row r : records.subList(1, records.size())) {
            if (r.blank()) {
                continue;
            }
            if (r.fields().size() != header.size()) {
                out.bad(r.line(), "row has " + r.fields().size() + " fields, the header " + header.size());
                continue;
            }
            out.add(new CorpusPrompt(r.line(), field(r, id), field(r, label), field(r, split), r.fields().get(textColumn), null));
        }
    }

    private static String field(CsvRecords.Row r, int column) {
        return column < 0 ? null : r.fields().get(column);
    }
}
