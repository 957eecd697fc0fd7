package headwise.engine.corpus;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusReaderTest {

    @TempDir
    Path temp;

    @Test
    void jsonLinesCarryTextOrIdsAndOptionalFields() throws IOException {
        Path file = Files.writeString(temp.resolve("c.jsonl"),
                "{\"text\": \"a b\", \"id\": 7, \"label\": \"x\", \"split\": \"test\"}\n\n{\"ids\": [3, 4]}\n");
        List<CorpusPrompt> p = CorpusReader.read(file, false).prompts();
        assertEquals(2, p.size());
        assertEquals(new CorpusPrompt(1, "7", "x", "test", "a b", null).toString(), p.get(0).toString());
        assertEquals(3, p.get(1).line());
        assertArrayEquals(new int[] {3, 4}, p.get(1).ids());
    }

    @Test
    void csvHasATextColumnAndQuotedFieldsMaySpanLines() throws IOException {
        Path file = Files.writeString(temp.resolve("c.csv"), "id,text,label\n1,\"hello, \"\"world\"\"\",pos\n2,\"two\nlines\",neg\n3,plain,neg\n");
        List<CorpusPrompt> p = CorpusReader.read(file, false).prompts();
        assertEquals(3, p.size());
        assertEquals("hello, \"world\"", p.get(0).text());
        assertEquals("two\nlines", p.get(1).text());
        assertEquals(3, p.get(1).line());
        assertEquals(5, p.get(2).line());
        assertEquals("neg", p.get(2).label());
    }

    @Test
    void csvWithoutATextColumnIsOneLine() throws IOException {
        Path file = Files.writeString(temp.resolve("c.csv"), "id,sentence\n1,hi\n");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> CorpusReader.read(file, false));
        assertTrue(e.getMessage().startsWith(file + ":1: the CSV header has no \"text\" column"), e.getMessage());
    }

    @Test
    void plainTextIsOnePromptALine() throws IOException {
        Path file = Files.writeString(temp.resolve("c.txt"), "first\r\n\nsecond\n");
        List<CorpusPrompt> p = CorpusReader.read(file, false).prompts();
        assertEquals(List.of("first", "second"), p.stream().map(CorpusPrompt::text).toList());
        assertEquals(3, p.get(1).line());
        assertNull(p.get(1).id());
    }

    @Test
    void skipBadCountsEveryBadLine() throws IOException {
        Path file = Files.writeString(temp.resolve("c.jsonl"),
                "[1]\n{\"ids\": [1.5]}\n{\"text\": \"ok\"}\n{\"text\": \"a\", \"ids\": [1]}\n{\"ids\": \"1,2\"}\n");
        CorpusReader.Result r = CorpusReader.read(file, true);
        assertEquals(1, r.prompts().size());
        assertEquals(4, r.skipped().size());
        assertTrue(r.skipped().get(1).contains(":2: \"ids\" holds 1.5, not an integer token id"), r.skipped().get(1));
        assertTrue(r.skipped().get(2).contains(":4: give exactly one of \"text\" and \"ids\""), r.skipped().get(2));
    }

    @Test
    void aFileOfOnlyBadLinesIsAnErrorEvenWithSkipBad() throws IOException {
        Path file = Files.writeString(temp.resolve("c.jsonl"), "nope\n");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> CorpusReader.read(file, true));
        assertTrue(e.getMessage().contains("no usable prompts (1 bad lines"), e.getMessage());
    }
}
