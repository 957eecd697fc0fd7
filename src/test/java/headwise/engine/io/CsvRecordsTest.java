package headwise.engine.io;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvRecordsTest {

    private static final Path FILE = Path.of("data.csv");

    @Test
    void quotedFieldsKeepCommasQuotesAndLineBreaksAndRowsRememberTheirFirstLine() {
        List<CsvRecords.Row> rows = CsvRecords.parse(FILE, "\uFEFFText,Label\r\n\"a, \"\"b\"\"\nc\",1\n\nplain,2");
        assertEquals(List.of("text", "label"), CsvRecords.columnNames(rows.get(0)));
        assertEquals(List.of("a, \"b\"\nc", "1"), rows.get(1).fields());
        assertEquals(2, rows.get(1).line());
        assertTrue(rows.get(2).blank());
        assertEquals(4, rows.get(2).line());
        assertEquals(new CsvRecords.Row(5, List.of("plain", "2")), rows.get(3));
    }

    @Test
    void aQuotedFieldLeftOpenIsOneLineNamingTheFileAndLine() {
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> CsvRecords.parse(FILE, "text\nok\n\"never closed\n"));
        assertTrue(e.getMessage().contains("data.csv") && e.getMessage().contains("line 3: a quoted field is not closed"),
                e.getMessage());
    }
}
