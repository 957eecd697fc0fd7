package headwise.engine.analysis.relevance;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.load.LoadedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a removed unit becomes in the faithfulness curves: a token id (the tokenizer's mask, pad or unknown token,
 * or any id), or for images a patch of zeros in every normalised channel (the preprocessing's mean colour) or of
 * the image's own mean colour.
 *
 * @param name    how it is written in files and on the CLI: "mask", "pad", "unk", "id:N", "zero-patch", "mean-patch"
 * @param tokenId the id a removed token becomes (−1 for the patch baselines)
 */
public record FaithfulnessBaseline(String name, int tokenId) {

    public static final FaithfulnessBaseline ZERO_PATCH = new FaithfulnessBaseline("zero-patch", -1);
    public static final FaithfulnessBaseline MEAN_PATCH = new FaithfulnessBaseline("mean-patch", -1);

    /** The special tokens offered, in order of preference, with the spellings tokenizer.json files use. */
    private static final String[][] SPECIAL = {
            {"mask", "[MASK]", "<mask>", "<|mask|>"},
            {"pad", "[PAD]", "<pad>", "<|pad|>", "<|padding|>"},
            {"unk", "[UNK]", "<unk>", "<|unk|>", "<|unknown|>"}};

    public static FaithfulnessBaseline token(int id) {
        return new FaithfulnessBaseline("id:" + id, id);
    }

    public boolean patch() {
        return tokenId < 0;
    }

    /** "mask (id 103)", "id 0", "zero patch". */
    public String label() {
        if (patch()) {
            return name.replace('-', ' ');
        }
        return name.startsWith("id:") ? "id " + tokenId : name + " (id " + tokenId + ")";
    }

    /**
     * The baselines a model offers, the default first: for images the zero then the mean patch; for text the
     * tokenizer's mask, pad and unknown tokens where its tokenizer.json has them, then id 0.
     */
    public static List<FaithfulnessBaseline> choices(LoadedModel model, boolean image) {
        if (image) {
            return List.of(ZERO_PATCH, MEAN_PATCH);
        }
        List<FaithfulnessBaseline> out = new ArrayList<>(special(model));
        if (out.stream().noneMatch(b -> b.tokenId == 0)) {
            out.add(token(0));
        }
        return out;
    }

    /**
     * A baseline by name ("mask", "pad", "unk", a token id, "zero", "mean"; null: the default), checked against the
     * model: a special token it lacks, an id outside its vocabulary, a patch for text or a token for images is one line.
     */
    public static FaithfulnessBaseline parse(String name, LoadedModel model, boolean image) {
        List<FaithfulnessBaseline> offered = choices(model, image);
        if (name == null || name.isBlank()) {
            return offered.get(0);
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (image) {
            if (n.equals("zero") || n.equals("zero-patch")) {
                return ZERO_PATCH;
            }
            if (n.equals("mean") || n.equals("mean-patch")) {
                return MEAN_PATCH;
            }
            throw new HeadwiseException("baseline '" + name + "' does not apply to an image: expected zero or mean");
        }
        String digits = n.startsWith("id:") ? n.substring(3) : n;
        if (digits.matches("\\d{1,10}")) {
            long id = Long.parseLong(digits);
            int vocabulary = model.spec().vocabSize();
            if (id >= vocabulary) {
                throw new HeadwiseException("baseline id " + id + " is outside the vocabulary (" + vocabulary + " tokens)");
            }
            return token((int) id);
        }
        for (FaithfulnessBaseline b : offered) {
            if (b.name.equals(n)) {
                return b;
            }
        }
        throw new HeadwiseException("baseline '" + name + "' is not offered by this model: expected "
                + String.join(", ", offered.stream().map(FaithfulnessBaseline::name).toList()) + " or a token id");
    }

    /** The mask, pad and unknown tokens of the model's tokenizer.json ("added_tokens"), those it has. */
    private static List<FaithfulnessBaseline> special(LoadedModel model) {
        List<FaithfulnessBaseline> out = new ArrayList<>();
        Path file = model.folder() == null ? null : model.folder().resolve("tokenizer.json");
        if (file == null || !Files.isRegularFile(file)) {
            return out;
        }
        JsonElement added = Json.readObject(file).get("added_tokens");
        if (added == null || !added.isJsonArray()) {
            return out;
        }
        for (String[] kind : SPECIAL) {
            for (JsonElement e : added.getAsJsonArray()) {
                Integer id = idIf(e, kind, model.spec().vocabSize());
                if (id != null) {
                    out.add(new FaithfulnessBaseline(kind[0], id));
                    break;
                }
            }
        }
        return out;
    }

    /** The entry's id when its content is one of {@code kind}'s spellings and the id is inside the vocabulary. */
    private static Integer idIf(JsonElement e, String[] kind, int vocabulary) {
        if (!e.isJsonObject()) {
            return null;
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement content = o.get("content");
        JsonElement id = o.get("id");
        if (content == null || !content.isJsonPrimitive() || id == null || !id.isJsonPrimitive()
                || !id.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        for (int k = 1; k < kind.length; k++) {
            if (kind[k].equals(content.getAsString())) {
                long v = id.getAsLong();
                return v >= 0 && v < vocabulary ? (int) v : null;
            }
        }
        return null;
    }
}
