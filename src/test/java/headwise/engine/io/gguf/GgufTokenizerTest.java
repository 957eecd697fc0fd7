package headwise.engine.io.gguf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.tokenize.TextTokenizer;
import headwise.engine.tokenize.TokenizedText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture tokenizers' vocabularies written into GGUF metadata as llama.cpp's converter writes them (SentencePiece:
 * tokens, scores and token types, no merges; byte-level BPE: tokens, merges, pre-tokenizer name) give the same ids,
 * tokens, offsets and decoded text as the tokenizer.json they came from.
 */
class GgufTokenizerTest {

    private static final String[] TEXTS = {"hello world é", "hello hello", "", " world  hello\n\twor", "héllo 12345 wörld!"};

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"llama2, llama, default", "llama3, gpt2, llama-bpe", "qwen2, gpt2, qwen2"})
    void sameIdsAsTheTokenizerJson(String fixture, String model, String pre) throws IOException {
        Path json = Fixtures.ROOT.resolve("tokenizers").resolve(fixture).resolve("tokenizer.json");
        GgufMetadata metadata = metadataFor(json, model, pre);
        Path file = dir.resolve(fixture + ".gguf");
        try (TextTokenizer expected = TextTokenizer.open(json);
             TextTokenizer fromGguf = TextTokenizer.fromJson(file, GgufTokenizerJson.build(file, metadata))) {
            for (String text : TEXTS) {
                TokenizedText want = expected.encode(text);
                TokenizedText got = fromGguf.encode(text);
                assertArrayEquals(want.ids(), got.ids(), fixture + " ids of '" + text + "'");
                assertArrayEquals(want.tokens(), got.tokens(), fixture + " tokens of '" + text + "'");
                assertArrayEquals(want.offsets(), got.offsets(), fixture + " offsets of '" + text + "'");
                assertEquals(expected.decode(want.ids()), fromGguf.decode(got.ids()), fixture + " decode of '" + text + "'");
            }
        }
    }

    @Test
    void unsupportedTokenizersAndBrokenMetadataSayWhat() throws IOException {
        Path file = dir.resolve("t.gguf");
        GgufWriter bert = new GgufWriter().string("tokenizer.ggml.model", "bert").strings("tokenizer.ggml.tokens", List.of("a"));
        assertTrue(message(file, bert).contains("tokenizer.ggml.model 'bert' is not supported (only 'llama' and 'gpt2')"));
        GgufWriter pre = new GgufWriter().string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "deepseek-coder")
                .strings("tokenizer.ggml.tokens", List.of("a"));
        assertTrue(message(file, pre).contains("tokenizer.ggml.pre 'deepseek-coder' is not supported"));
        GgufWriter scores = new GgufWriter().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", List.of("a", "b"))
                .floats("tokenizer.ggml.scores", new float[] {0f});
        assertTrue(message(file, scores).contains("'tokenizer.ggml.scores' should have one number per token"));
        GgufWriter bos = new GgufWriter().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", List.of("a"))
                .floats("tokenizer.ggml.scores", new float[] {0f}).u32("tokenizer.ggml.bos_token_id", 7);
        assertTrue(message(file, bos).contains("bos_token_id 7 is not below the vocabulary size 1"), message(file, bos));
        GgufWriter merges = new GgufWriter().string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", List.of("a"))
                .strings("tokenizer.ggml.merges", List.of("ab"));
        assertTrue(message(file, merges).contains("merge 'ab' is not two tokens separated by a space"));
        assertFalse(GgufTokenizerJson.present(read(file, new GgufWriter().string("general.architecture", "llama"))));
    }

    private String message(Path file, GgufWriter w) throws IOException {
        GgufMetadata metadata = read(file, w);
        return assertThrows(HeadwiseException.class, () -> TextTokenizer.fromJson(file, GgufTokenizerJson.build(file, metadata)).close())
                .getMessage();
    }

    private static GgufMetadata read(Path file, GgufWriter w) throws IOException {
        Files.write(file, w.bytes());
        try (GgufFile gguf = GgufFile.open(file)) {
            return gguf.metadata();
        }
    }

    /** What llama.cpp's converter writes for this tokenizer.json. */
    private GgufMetadata metadataFor(Path json, String model, String pre) throws IOException {
        JsonObject t = Json.readObject(json);
        JsonObject bpe = t.getAsJsonObject("model");
        Map<String, JsonElement> vocab = bpe.getAsJsonObject("vocab").asMap();
        Map<Integer, String> byId = new HashMap<>();
        vocab.forEach((token, id) -> byId.put(id.getAsInt(), token));
        Set<Integer> special = new HashSet<>();
        for (JsonElement added : t.getAsJsonArray("added_tokens")) {
            JsonObject a = added.getAsJsonObject();
            byId.put(a.get("id").getAsInt(), a.get("content").getAsString());
            special.add(a.get("id").getAsInt());
        }
        int size = byId.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
        List<String> tokens = new ArrayList<>();
        int[] types = new int[size];
        for (int id = 0; id < size; id++) {
            String token = byId.get(id);
            tokens.add(token);
            boolean isByte = model.equals("llama") && token.matches("<0x[0-9A-F]{2}>");
            types[id] = special.contains(id) ? (token.equals("<unk>") ? 2 : 3) : isByte ? 6 : 1;
        }
        List<String> merges = new ArrayList<>();
        for (JsonElement merge : bpe.getAsJsonArray("merges")) {
            merges.add(merge.isJsonArray() ? merge.getAsJsonArray().get(0).getAsString() + " " + merge.getAsJsonArray().get(1).getAsString()
                    : merge.getAsString());
        }
        GgufWriter w = new GgufWriter().string("tokenizer.ggml.model", model).strings("tokenizer.ggml.tokens", tokens)
                .ints("tokenizer.ggml.token_type", types);
        if (model.equals("llama")) {
            // SentencePiece scores: a merge's result scores by its rank (earlier merges higher), every other piece below them all
            float[] scores = new float[size];
            Arrays.fill(scores, -1e6f);
            for (int rank = merges.size() - 1; rank >= 0; rank--) {
                scores[vocab.get(merges.get(rank).replace(" ", "")).getAsInt()] = -rank;
            }
            w.floats("tokenizer.ggml.scores", scores).u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2)
                    .u32("tokenizer.ggml.unknown_token_id", 0).bool("tokenizer.ggml.add_bos_token", true);
        } else {
            w.strings("tokenizer.ggml.merges", merges).string("tokenizer.ggml.pre", pre);
            boolean bos = pre.equals("llama-bpe");
            w.bool("tokenizer.ggml.add_bos_token", bos);
            if (bos) {
                w.u32("tokenizer.ggml.bos_token_id", 265);
            }
        }
        return read(dir.resolve("tokenizer.gguf"), w);
    }
}
