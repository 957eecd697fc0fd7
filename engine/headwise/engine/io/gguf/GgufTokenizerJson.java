package headwise.engine.io.gguf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer.json a GGUF file's {@code tokenizer.ggml.*} metadata describes, for the Hugging Face tokenizers library
 * (as transformers' GGUF integration does): "llama" is SentencePiece BPE with byte fallback, whose merges are rebuilt from
 * the token scores (a pair merges when the vocabulary has their concatenation; higher-scoring results merge first);
 * "gpt2" is byte-level BPE with the stored merges and the pre-tokenizer {@code tokenizer.ggml.pre} names.
 */
public final class GgufTokenizerJson {

    private static final String GPT2_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private final Path file;
    private final GgufMetadata m;
    private final GgufVocabulary vocabulary;
    private final String[] tokens;

    private GgufTokenizerJson(Path file, GgufMetadata m) {
        this.file = file;
        this.m = m;
        this.vocabulary = new GgufVocabulary(file, m);
        this.tokens = vocabulary.tokens;
    }

    /** Whether the metadata describes a tokenizer at all. */
    public static boolean present(GgufMetadata m) {
        return m.has("tokenizer.ggml.model") && m.has("tokenizer.ggml.tokens");
    }

    /** The tokenizer.json text; {@code file} names the GGUF in messages. */
    public static String build(Path file, GgufMetadata m) {
        String model = m.string("tokenizer.ggml.model");
        GgufTokenizerJson b = new GgufTokenizerJson(file, m);
        JsonObject json = switch (model) {
            case "llama" -> b.sentencePiece();
            case "gpt2" -> b.byteLevel();
            default -> throw HeadwiseException.inFile(file, "GGUF tokenizer.ggml.model " + HeadwiseException.quote(model)
                    + " is not supported (only 'llama' and 'gpt2'); give token ids with --ids instead");
        };
        return json.toString();
    }

    private JsonObject sentencePiece() {
        Integer unk = m.optionalInt("tokenizer.ggml.unknown_token_id");
        JsonArray merges = new JsonArray();
        for (String[] merge : SentencePieceMerges.of(file, m, vocabulary)) {
            merges.add(pair(merge[0], merge[1]));
        }
        JsonObject model = bpe(unk == null ? null : vocabulary.token(unk, "unknown_token_id"), true, false, merges);
        JsonObject t = skeleton();
        JsonArray normalizers = new JsonArray();
        if (m.optionalBoolean("tokenizer.ggml.add_space_prefix", true)) {
            normalizers.add(object("type", "Prepend", "prepend", "\u2581"));
        }
        JsonObject replace = object("type", "Replace", "content", "\u2581");
        replace.add("pattern", object("String", " "));
        normalizers.add(replace);
        JsonObject normalizer = object("type", "Sequence");
        normalizer.add("normalizers", normalizers);
        t.add("normalizer", normalizer);
        t.add("post_processor", template(m.optionalBoolean("tokenizer.ggml.add_bos_token", true)));
        JsonArray decoders = new JsonArray();
        JsonObject space = object("type", "Replace", "content", " ");
        space.add("pattern", object("String", "\u2581"));
        decoders.add(space);
        decoders.add(object("type", "ByteFallback"));
        decoders.add(object("type", "Fuse"));
        JsonObject strip = object("type", "Strip", "content", " ");
        strip.addProperty("start", 1);
        strip.addProperty("stop", 0);
        decoders.add(strip);
        JsonObject decoder = object("type", "Sequence");
        decoder.add("decoders", decoders);
        t.add("decoder", decoder);
        t.add("model", model);
        return t;
    }

    private JsonObject byteLevel() {
        JsonObject t = skeleton();
        String pre = m.optionalString("tokenizer.ggml.pre", "default");
        String split = switch (pre) {
            case "default", "gpt-2" -> GPT2_SPLIT;
            case "llama-bpe", "llama3" -> LLAMA3_SPLIT;
            case "qwen2" -> QWEN2_SPLIT;
            default -> throw HeadwiseException.inFile(file, "GGUF tokenizer.ggml.pre " + HeadwiseException.quote(pre)
                    + " is not supported (only 'default', 'gpt-2', 'llama-bpe' and 'qwen2')");
        };
        if (pre.equals("qwen2")) {
            t.add("normalizer", object("type", "NFC"));
        }
        JsonObject splitter = object("type", "Split", "behavior", "Isolated");
        splitter.add("pattern", object("Regex", split));
        splitter.addProperty("invert", false);
        JsonArray pretokenizers = new JsonArray();
        pretokenizers.add(splitter);
        pretokenizers.add(byteLevelStep(false, true, false));
        JsonObject pretokenizer = object("type", "Sequence");
        pretokenizer.add("pretokenizers", pretokenizers);
        t.add("pre_tokenizer", pretokenizer);
        JsonArray processors = new JsonArray();
        processors.add(byteLevelStep(false, false, false));
        if (m.optionalBoolean("tokenizer.ggml.add_bos_token", false)) {
            processors.add(template(true));
        }
        JsonObject post = object("type", "Sequence");
        post.add("processors", processors);
        t.add("post_processor", post);
        t.add("decoder", byteLevelStep(true, true, true));
        // llama.cpp looks a whole pre-token up in the vocabulary before merging only for Llama-3's tokenizer
        t.add("model", bpe(null, false, pre.equals("llama-bpe") || pre.equals("llama3"), storedMerges()));
        return t;
    }

    private JsonObject skeleton() {
        JsonObject t = new JsonObject();
        t.addProperty("version", "1.0");
        t.add("truncation", JsonNull.INSTANCE);
        t.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (int id = 0; id < tokens.length; id++) {
            int type = vocabulary.type(id);
            if (type == GgufVocabulary.CONTROL || type == GgufVocabulary.USER_DEFINED || type == GgufVocabulary.UNKNOWN) {
                JsonObject token = new JsonObject();
                token.addProperty("id", id);
                token.addProperty("content", tokens[id]);
                token.addProperty("single_word", false);
                token.addProperty("lstrip", false);
                token.addProperty("rstrip", false);
                token.addProperty("normalized", false);
                token.addProperty("special", type != GgufVocabulary.USER_DEFINED);
                added.add(token);
            }
        }
        t.add("added_tokens", added);
        t.add("normalizer", JsonNull.INSTANCE);
        t.add("pre_tokenizer", JsonNull.INSTANCE);
        return t;
    }

    private JsonObject bpe(String unk, boolean byteFallback, boolean ignoreMerges, JsonArray merges) {
        JsonObject model = object("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", unk == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(unk));
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", byteFallback);
        model.addProperty("byte_fallback", byteFallback);
        model.addProperty("ignore_merges", ignoreMerges);
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < tokens.length; id++) {
            if (!vocab.has(tokens[id])) { // a repeated string keeps its first id, as llama.cpp's lookup does
                vocab.addProperty(tokens[id], id);
            }
        }
        model.add("vocab", vocab);
        model.add("merges", merges);
        return model;
    }

    /** BOS before the text when the metadata asks for it (and EOS after, when it asks for that too). */
    private JsonElement template(boolean bos) {
        boolean eos = m.optionalBoolean("tokenizer.ggml.add_eos_token", false);
        if (!bos && !eos) {
            return JsonNull.INSTANCE;
        }
        List<Integer> specials = new ArrayList<>();
        Integer bosId = bos ? requiredId("tokenizer.ggml.bos_token_id") : null;
        Integer eosId = eos ? requiredId("tokenizer.ggml.eos_token_id") : null;
        JsonArray single = new JsonArray();
        JsonArray pair = new JsonArray();
        for (int sequence = 0; sequence < 2; sequence++) {
            for (JsonArray target : sequence == 0 ? List.of(single, pair) : List.of(pair)) {
                if (bosId != null) {
                    target.add(piece("SpecialToken", vocabulary.token(bosId, "bos_token_id"), sequence));
                }
                target.add(piece("Sequence", sequence == 0 ? "A" : "B", sequence));
                if (eosId != null) {
                    target.add(piece("SpecialToken", vocabulary.token(eosId, "eos_token_id"), sequence));
                }
            }
        }
        if (bosId != null) {
            specials.add(bosId);
        }
        if (eosId != null && !eosId.equals(bosId)) {
            specials.add(eosId);
        }
        JsonObject special = new JsonObject();
        for (int id : specials) {
            JsonObject entry = object("id", tokens[id]);
            JsonArray ids = new JsonArray();
            ids.add(id);
            JsonArray strings = new JsonArray();
            strings.add(tokens[id]);
            entry.add("ids", ids);
            entry.add("tokens", strings);
            special.add(tokens[id], entry);
        }
        JsonObject template = object("type", "TemplateProcessing");
        template.add("single", single);
        template.add("pair", pair);
        template.add("special_tokens", special);
        return template;
    }

    private static JsonObject piece(String kind, String id, int typeId) {
        JsonObject inner = object("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject outer = new JsonObject();
        outer.add(kind, inner);
        return outer;
    }

    private int requiredId(String key) {
        Integer id = m.optionalInt(key);
        if (id == null) {
            throw HeadwiseException.inFile(file, "GGUF metadata has no " + HeadwiseException.quote(key));
        }
        return id;
    }

    /** tokenizer.ggml.merges ("left right" strings) as [left, right] pairs. */
    private JsonArray storedMerges() {
        GgufArray merges = m.optionalArray("tokenizer.ggml.merges");
        JsonArray out = new JsonArray();
        if (merges == null) {
            return out;
        }
        if (!merges.isStrings()) {
            throw HeadwiseException.inFile(file, "GGUF metadata 'tokenizer.ggml.merges' should be an array of strings");
        }
        for (String merge : merges.strings()) {
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw HeadwiseException.inFile(file, "GGUF merge " + HeadwiseException.quote(merge) + " is not two tokens separated by a space");
            }
            out.add(pair(merge.substring(0, space), merge.substring(space + 1)));
        }
        return out;
    }

    private static JsonArray pair(String left, String right) {
        JsonArray pair = new JsonArray();
        pair.add(left);
        pair.add(right);
        return pair;
    }

    private static JsonObject byteLevelStep(boolean prefixSpace, boolean trimOffsets, boolean useRegex) {
        JsonObject step = object("type", "ByteLevel");
        step.addProperty("add_prefix_space", prefixSpace);
        step.addProperty("trim_offsets", trimOffsets);
        step.addProperty("use_regex", useRegex);
        return step;
    }

    private static JsonObject object(String... keysAndValues) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            o.addProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return o;
    }
}
