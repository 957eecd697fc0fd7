package headwise.engine.tokenize;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tokenizer.json files the fuzzers found (target "tokenizer" of headwise.fuzz): the first three made the native tokenizers
 * library panic, which aborts the whole JVM, so if one of these tests regresses the test run itself dies.
 */
class HostileTokenizerJsonTest {

    @TempDir
    Path temp;

    /** A minimal WordPiece tokenizer.json; %s are the decoder, the post-processor and one more vocabulary entry. */
    private static final String TEMPLATE = """
            {"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,
             "pre_tokenizer":{"type":"Whitespace"},"post_processor":%s,"decoder":%s,
             "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
                      "vocab":{"[UNK]":0,"[CLS]":1,"hello":2%s}}}""";

    private static final String TEMPLATE_PROCESSING = """
            {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"%s","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
             "pair":[{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],
             "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[1],"tokens":["[CLS]"]}}}""";

    @Test
    void theMinimalTokenizerWorks() throws IOException {
        try (TextTokenizer t = TextTokenizer.open(write(TEMPLATE.formatted(TEMPLATE_PROCESSING.formatted("[CLS]"), "null", "")))) {
            assertEquals(java.util.List.of(1, 2), java.util.Arrays.stream(t.encode("hello").ids()).boxed().toList());
        }
    }

    @Test
    void numberOutOfRangeInTheDecoder() throws IOException {
        Path file = write(TEMPLATE.formatted("null", "{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":1E400}", ""));
        refused(file, "not valid JSON: number 1E400 out of range at $.decoder.cleanup");
    }

    @Test
    void templateNamesAnUndefinedSpecialToken() throws IOException {
        Path file = write(TEMPLATE.formatted(TEMPLATE_PROCESSING.formatted("[CLQ]"), "null", ""));
        refused(file, "cannot load tokenizer: post_processor: its \"single\" template uses the special token \"[CLQ]\","
                + " which \"special_tokens\" does not define");
    }

    /** Found by Jazzer (ParserFuzzer#tokenizer, 60 s): the same, with the type name garbled. */
    @Test
    void templateUnderAnotherTypeNamesAnUndefinedSpecialToken() throws IOException {
        String garbled = TEMPLATE_PROCESSING.replace("\"TemplateProcessing\"", "\"TalpetmeProcessing\"");
        try (TextTokenizer t = TextTokenizer.open(write(TEMPLATE.formatted(garbled.formatted("[CLS]"), "null", "")))) {
            // the library takes it for a TemplateProcessing all the same: [CLS] is added
            assertEquals(java.util.List.of(1, 2), java.util.Arrays.stream(t.encode("hello").ids()).boxed().toList());
        }
        Path file = write(TEMPLATE.formatted(garbled.formatted("[CLS}"), "null", ""));
        refused(file, "cannot load tokenizer: post_processor: its \"single\" template uses the special token \"[CLS}\","
                + " which \"special_tokens\" does not define");
    }

    @Test
    void tokenIdBeyondJavaInts() throws IOException {
        try (TextTokenizer t = TextTokenizer.open(write(TEMPLATE.formatted("null", "null", ",\"big\":4294967295")))) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> t.encode("big"));
            assertTrue(e.getMessage().endsWith("token id 4294967295 is out of range (at most 2147483647)"), e.getMessage());
        }
    }

    @Test
    void malformedJsonThatLenientParsersAccept() throws IOException {
        refused(write("{'version':'1.0'}"), "not valid JSON: malformed JSON at line 1 column 3");
        refused(write("{\"a\":\"\\ud800\"}"), "not valid JSON: unpaired surrogate \\ud800 at $.a");
        refused(write("{\"a\":1,\"a\":2}"), "not valid JSON: key \"a\" appears twice");
        refused(write("[".repeat(200) + "]".repeat(200)), "not a JSON object");
        refused(write("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}"), "not valid JSON: nested more than 128 deep");
        refused(write("{\"a\":1} {}"), "not valid JSON: malformed JSON at line 1 column 10");
    }

    private void refused(Path file, String expected) {
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> TextTokenizer.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": " + expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private Path write(String json) throws IOException {
        return Files.writeString(temp.resolve("tokenizer.json"), json, StandardCharsets.UTF_8);
    }
}
