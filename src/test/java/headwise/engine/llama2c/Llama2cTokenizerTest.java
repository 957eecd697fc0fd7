package headwise.engine.llama2c;

import headwise.engine.tokenize.TokenizedText;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * tok512 encodes as run.c's encode does. The expected ids were derived by hand from the vocabulary
 * (" Once" 403, " upon" 407, " a" 261, " time" 378, " " 410, bytes at 3 + b) and with a separate Python
 * transliteration of run.c's encode that re-scans every pair each round.
 */
class Llama2cTokenizerTest {

    static Llama2cTokenizer tokenizer;

    @BeforeAll
    static void open() {
        tokenizer = Llama2cTokenizer.read(Llama2cReference.STORIES260K.resolve("tok512.bin"), 512);
    }

    @Test
    void encodesLikeRunC() {
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, tokenizer.encode("Once upon a time", true, false));
        assertArrayEquals(new int[] {403, 407, 261, 378, 2}, tokenizer.encode("Once upon a time", false, true));
        assertArrayEquals(new int[] {1, 346, 306, 414, 263, 304, 341, 443}, tokenizer.encode("Hello world!", true, false));
        assertArrayEquals(new int[] {1, 291, 280, 294, 262, 294, 353, 265, 284, 294, 426},
                tokenizer.encode("The cat sat on the mat.", true, false));
        assertArrayEquals(new int[] {1, 317, 439, 419, 357, 336, 432, 313, 455, 289, 439, 413, 263, 304, 420, 422, 426, 436},
                tokenizer.encode("Lily's mom said, \"Don't worry.\"", true, false));
        assertArrayEquals(new int[] {1}, tokenizer.encode("", true, false)); // no dummy prefix for empty text
        assertArrayEquals(new int[] {1, 261, 13, 430}, tokenizer.encode("a\nb", true, false)); // '\n' has no piece: <0x0A>
    }

    @Test
    void fallsBackToBytesForCodePointsWithoutAPiece() {
        // é has a piece (485); ☕ and 😀 do not: their UTF-8 bytes + 3
        assertArrayEquals(new int[] {1, 280, 412, 431, 485, 410, 229, 155, 152, 410, 243, 162, 155, 131},
                tokenizer.encode("café ☕ 😀", true, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time", "The cat sat on the mat.", "Lily's mom said, \"Don't worry.\"",
            "café ☕ 😀", "two\nlines\tand  spaces", "~[|]<>%\\"})
    void roundTrips(String text) {
        TokenizedText t = tokenizer.encode(text);
        assertEquals(1, t.ids()[0]);
        assertEquals(text, tokenizer.decode(t.ids()));
    }

    @Test
    void decodesLikeRunC() {
        // the space of the piece after BOS is dropped, not elsewhere; BOS and EOS give no text
        assertEquals("Once upon", tokenizer.decode(new int[] {1, 403, 407, 2}));
        assertEquals(" Once upon", tokenizer.decode(new int[] {403, 407}));
        assertEquals("a\nb", tokenizer.decode(new int[] {261, 13, 430}).strip());
        assertEquals("☕", tokenizer.decode(new int[] {229, 155, 152}));
    }

    @Test
    void offsetsAreCharacterSpans() {
        TokenizedText t = tokenizer.encode("Once upon a time");
        assertArrayEquals(new int[][] {{0, 0}, {0, 4}, {4, 9}, {9, 11}, {11, 16}}, t.offsets());
        assertArrayEquals(new String[] {"<s>", " Once", " upon", " a", " time"}, t.tokens());

        // 😀 is two UTF-16 chars and four byte tokens: each byte token covers the whole character
        TokenizedText emoji = tokenizer.encode("a😀");
        assertArrayEquals(new int[] {1, 261, 243, 162, 155, 131}, emoji.ids());
        assertArrayEquals(new int[][] {{0, 0}, {0, 1}, {1, 3}, {1, 3}, {1, 3}, {1, 3}}, emoji.offsets());
    }
}
