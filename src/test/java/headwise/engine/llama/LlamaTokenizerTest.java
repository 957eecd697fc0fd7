package headwise.engine.llama;

import headwise.engine.Fixtures;
import headwise.engine.tokenize.TextTokenizer;
import headwise.engine.tokenize.TokenizedText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-made tokenizer.json files of make_llama_fixtures.py through DJL: "é" is in no vocabulary, so it
 * becomes its two UTF-8 bytes (SentencePiece byte fallback, or byte-level BPE's byte alphabet), both spanning
 * the one character. BOS is added exactly where the post-processor says (Llama: yes; Qwen2: no).
 */
class LlamaTokenizerTest {

    private static final String TEXT = "hello world é";
    private static final int[][] OFFSETS = {{0, 5}, {5, 11}, {11, 12}, {12, 13}, {12, 13}};

    @ParameterizedTest
    @ValueSource(strings = {"llama2", "llama2_metaspace"})
    void sentencePieceWithByteFallback(String name) {
        // <0xC3> is id 3 + 0xC3: the byte tokens follow <unk>, <s>, </s>
        check(name, new int[] {1, 276, 275, 259, 3 + 0xC3, 3 + 0xA9},
                new String[] {"<s>", "▁hello", "▁world", "▁", "<0xC3>", "<0xA9>"}, true);
    }

    @Test
    void llama3ByteLevelAddsBeginOfText() {
        // byte-level ids 0…255 are the bytes; Ġ is the space (0x20), Ã © the two bytes of é
        check("llama3", new int[] {265, 259, 264, 0x20, 0xC3, 0xA9},
                new String[] {"<|begin_of_text|>", "hello", "Ġworld", "Ġ", "Ã", "©"}, true);
    }

    @Test
    void qwen2ByteLevelAddsNothing() {
        check("qwen2", new int[] {259, 264, 0x20, 0xC3, 0xA9}, new String[] {"hello", "Ġworld", "Ġ", "Ã", "©"}, false);
    }

    private static void check(String name, int[] ids, String[] tokens, boolean bos) {
        try (TextTokenizer tokenizer = TextTokenizer.open(Fixtures.ROOT.resolve("tokenizers").resolve(name).resolve("tokenizer.json"))) {
            TokenizedText encoded = tokenizer.encode(TEXT);
            assertArrayEquals(ids, encoded.ids(), name + " ids");
            assertArrayEquals(tokens, encoded.tokens(), name + " tokens");
            int[][] offsets = bos ? prepend(new int[] {0, 0}, OFFSETS) : OFFSETS;
            assertArrayEquals(offsets, encoded.offsets(), name + " offsets");
            assertEquals(TEXT, tokenizer.decode(encoded.ids()), name + " decode (special tokens skipped)");
        }
    }

    private static int[][] prepend(int[] first, int[][] rest) {
        int[][] all = new int[rest.length + 1][];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
