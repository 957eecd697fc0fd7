package headwise.engine.io.gguf;

import com.google.gson.JsonObject;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.json.Json;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face-layout F32 fixture written as a GGUF file with F32 tensors and no q/k permutation (what llama.cpp's
 * converter writes for every architecture but 'llama'): names through the inverse of {@link GgufTensorNames}, GPT-2's
 * Conv1D weights transposed to [out, in], metadata from config.json.
 */
final class HfToGguf {

    private static final List<String> PARTS = List.of("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "attn_qkv",
            "ffn_norm", "ffn_gate", "ffn_up", "ffn_down", "attn_q_norm", "attn_k_norm", "post_attention_norm", "post_ffw_norm");

    private HfToGguf() {
    }

    static Path write(Path fixture, String arch, Path target) {
        JsonObject c = Json.readObject(fixture.resolve("config.json"));
        boolean gpt2 = arch.equals("gpt2");
        int layers = c.get(gpt2 ? "n_layer" : "num_hidden_layers").getAsInt();
        GgufWriter w = new GgufWriter().string("general.architecture", arch)
                .u32(arch + ".block_count", layers)
                .u32(arch + ".embedding_length", c.get(gpt2 ? "n_embd" : "hidden_size").getAsInt())
                .u32(arch + ".attention.head_count", c.get(gpt2 ? "n_head" : "num_attention_heads").getAsInt());
        if (gpt2) {
            int d = c.get("n_embd").getAsInt();
            w.u32("gpt2.context_length", c.get("n_positions").getAsInt())
                    .u32("gpt2.feed_forward_length", c.get("n_inner").isJsonNull() ? 4 * d : c.get("n_inner").getAsInt())
                    .f32("gpt2.attention.layer_norm_epsilon", c.get("layer_norm_epsilon").getAsFloat());
        } else {
            w.u32(arch + ".context_length", c.get("max_position_embeddings").getAsInt())
                    .u32(arch + ".feed_forward_length", c.get("intermediate_size").getAsInt())
                    .u32(arch + ".attention.head_count_kv", c.get("num_key_value_heads").getAsInt())
                    .f32(arch + ".attention.layer_norm_rms_epsilon", c.get("rms_norm_eps").getAsFloat())
                    .f32(arch + ".rope.freq_base", c.get("rope_theta").getAsFloat());
        }
        Map<String, String> toGguf = inverseNames(arch, layers);
        try (SafetensorsFile hf = SafetensorsFile.open(fixture.resolve("model.safetensors"))) {
            for (String name : hf.names()) {
                String plain = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
                String ggufName = toGguf.get(plain);
                if (ggufName == null) {
                    throw new IllegalArgumentException("no GGUF name for " + name);
                }
                long[] shape = hf.shape(name);
                float[] values = hf.floats(name);
                long[] dims = reversed(shape);
                if (GgufTensorNames.map(arch, ggufName).transform() == GgufTensorNames.Transform.TRANSPOSE) {
                    values = transpose(values, (int) shape[0], (int) shape[1]);
                    dims = shape.clone();
                }
                w.tensor(ggufName, GgmlType.F32, dims, GgmlQuantizer.f32(values));
                if (gpt2 && ggufName.equals("token_embd.weight")) {
                    w.tensor("output.weight", GgmlType.F32, dims, GgmlQuantizer.f32(values)); // as llama.cpp's converter does
                }
            }
        }
        return w.write(target);
    }

    private static Map<String, String> inverseNames(String arch, int layers) {
        Map<String, String> inverse = new HashMap<>();
        for (String global : List.of("token_embd.weight", "position_embd.weight", "output.weight", "output_norm.weight", "output_norm.bias")) {
            add(inverse, arch, global);
        }
        for (int i = 0; i < layers; i++) {
            for (String part : PARTS) {
                add(inverse, arch, "blk." + i + "." + part + ".weight");
                add(inverse, arch, "blk." + i + "." + part + ".bias");
            }
        }
        return inverse;
    }

    private static void add(Map<String, String> inverse, String arch, String ggufName) {
        GgufTensorNames.Mapped mapped = GgufTensorNames.map(arch, ggufName);
        if (mapped != null) {
            inverse.put(mapped.name(), ggufName);
        }
    }

    private static long[] reversed(long[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[shape.length - 1 - i];
        }
        return out;
    }

    private static float[] transpose(float[] values, int rows, int columns) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < columns; col++) {
                out[col * rows + r] = values[r * columns + col];
            }
        }
        return out;
    }
}
