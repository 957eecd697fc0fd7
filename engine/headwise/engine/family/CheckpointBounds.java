package headwise.engine.family;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.io.TensorSource;

import java.nio.file.Path;
import java.util.List;

/**
 * The sizes config.json claims, bounded by the checkpoint beside it before a family's spec is built: a spec sizes
 * per-layer lists by the layer count (sliding-layer flags, the weights' layer list) and the mappers size shapes by the
 * widths, so a config claiming a hundred million layers must be refused here, in one line, not after gigabytes of
 * allocation. The bounds are loose (each only needs to hold for every real checkpoint); the mappers then check every
 * tensor's exact shape.
 */
public final class CheckpointBounds {

    /** Keys that count layers, in the spellings of the families (GPT-2's n_layer, most others' num_hidden_layers). */
    private static final List<String> LAYER_KEYS = List.of("n_layer", "num_hidden_layers", "num_layers", "n_layers");

    /** Keys that size a tensor dimension (or divide one): each is at most the checkpoint's longest dimension. */
    private static final List<String> WIDTH_KEYS = List.of("n_embd", "hidden_size", "d_model", "n_inner", "intermediate_size",
            "ffn_dim", "vocab_size", "n_head", "num_attention_heads", "num_key_value_heads", "head_dim");

    /** Sub-configs of composite models (LLaVA), bounded by the same checkpoint. */
    private static final List<String> SUB_CONFIGS = List.of("text_config", "vision_config");

    private CheckpointBounds() {
    }

    /** Refuses, in one line naming config.json and the key, a size no tensor of {@code tensors} can hold. */
    public static void check(Path configFile, JsonObject config, TensorSource tensors) {
        long layers = numberedBlocks(tensors);
        long longest = longestDimension(tensors);
        String file = tensors.location().getFileName().toString();
        check(configFile, config, "", layers, longest, file);
        for (String sub : SUB_CONFIGS) {
            JsonElement nested = config.get(sub);
            if (nested != null && nested.isJsonObject()) {
                check(configFile, nested.getAsJsonObject(), sub + ".", layers, longest, file);
            }
        }
    }

    private static void check(Path configFile, JsonObject config, String prefix, long layers, long longest, String file) {
        for (String key : LAYER_KEYS) {
            double value = number(config, key);
            if (value > layers) {
                throw HeadwiseException.inFile(configFile, prefix + key + " " + format(value) + " but " + file
                        + " holds tensors for at most " + layers + " layers");
            }
        }
        for (String key : WIDTH_KEYS) {
            double value = number(config, key);
            if (value > longest) {
                throw HeadwiseException.inFile(configFile, prefix + key + " " + format(value) + " but no tensor in " + file
                        + " has a dimension that long (the longest is " + longest + ")");
            }
        }
        double image = number(config, "image_size");
        double patch = number(config, "patch_size");
        if (image > 0 && patch > 0 && Math.pow(Math.floor(image / patch), 2) > longest) { // one position embedding per patch
            throw HeadwiseException.inFile(configFile, prefix + "image_size " + format(image) + " with patch_size " + format(patch)
                    + " makes more patches than any tensor in " + file + " has positions for (the longest dimension is " + longest + ")");
        }
    }

    /** How many numbered blocks the names allow: one more than the largest number between dots (layers.11. → 12). */
    private static long numberedBlocks(TensorSource tensors) {
        long blocks = 0;
        for (String name : tensors.names()) {
            for (String part : name.split("\\.")) {
                if (!part.isEmpty() && part.length() < 10 && part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    blocks = Math.max(blocks, Long.parseLong(part) + 1);
                }
            }
        }
        return blocks;
    }

    private static long longestDimension(TensorSource tensors) {
        long longest = 0;
        for (String name : tensors.names()) {
            for (long dim : tensors.shape(name)) {
                longest = Math.max(longest, dim);
            }
        }
        return longest;
    }

    /** A key's numeric value, or −1 when it is absent or not a number (the family's own checks name those). */
    private static double number(JsonObject config, String key) {
        JsonElement e = config.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsDouble() : -1;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e18 ? Long.toString((long) value) : Double.toString(value);
    }
}
