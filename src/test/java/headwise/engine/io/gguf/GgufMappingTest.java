package headwise.engine.io.gguf;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GGUF metadata and tensor names of the architectures whose Hugging Face mappers come from other work (qwen3, gemma2,
 * phi3) and the details of the ones loaded end to end elsewhere: the config.json and names each becomes.
 */
class GgufMappingTest {

    @TempDir
    Path dir;

    private GgufFile open(GgufWriter w) throws IOException {
        return GgufFile.open(Files.write(dir.resolve("m.gguf"), w.bytes()));
    }

    private static GgufWriter common(String arch) {
        return new GgufWriter().string("general.architecture", arch)
                .u32(arch + ".block_count", 2).u32(arch + ".context_length", 4096).u32(arch + ".embedding_length", 256)
                .u32(arch + ".feed_forward_length", 512).u32(arch + ".attention.head_count", 8)
                .u32(arch + ".attention.head_count_kv", 4).f32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f)
                .f32(arch + ".rope.freq_base", 1000000f);
    }

    @Test
    void qwen3ConfigAndQkNorms() throws IOException {
        try (GgufFile gguf = open(common("qwen3").u32("qwen3.attention.key_length", 128).u32("qwen3.attention.value_length", 128))) {
            JsonObject c = GgufConfig.of(gguf, 1000);
            assertEquals("qwen3", c.get("model_type").getAsString());
            assertEquals("Qwen3ForCausalLM", c.getAsJsonArray("architectures").get(0).getAsString());
            assertEquals(128, c.get("head_dim").getAsInt());
            assertEquals(4, c.get("num_key_value_heads").getAsInt());
            assertEquals(1e-6, c.get("rms_norm_eps").getAsDouble(), 0.0, "f32 1e-6 read back as the decimal config.json holds");
            assertEquals(1000000.0, c.get("rope_theta").getAsDouble());
            assertEquals(4096, c.get("max_position_embeddings").getAsInt());
            assertEquals(1000, c.get("vocab_size").getAsInt());
        }
        assertEquals(new GgufTensorNames.Mapped("model.layers.3.self_attn.q_norm.weight", GgufTensorNames.Transform.NONE),
                GgufTensorNames.map("qwen3", "blk.3.attn_q_norm.weight"));
        assertEquals("model.layers.0.self_attn.k_norm.weight", GgufTensorNames.map("qwen3", "blk.0.attn_k_norm.weight").name());
        assertNull(GgufTensorNames.map("llama", "blk.0.attn_q_norm.weight"), "only qwen3 has q/k norms");
    }

    @Test
    void gemma2SandwichNormsAsStored() throws IOException {
        try (GgufFile gguf = open(common("gemma2").u32("gemma2.attention.key_length", 256)
                .f32("gemma2.attn_logit_softcapping", 50f).f32("gemma2.final_logit_softcapping", 30f)
                .u32("gemma2.attention.sliding_window", 4096))) {
            JsonObject c = GgufConfig.of(gguf, 1000);
            assertEquals("gemma2", c.get("model_type").getAsString());
            assertEquals(256, c.get("head_dim").getAsInt());
            assertEquals(256, c.get("query_pre_attn_scalar").getAsInt(), "head_dim, as llama.cpp scales all but the 27B");
            assertEquals(50.0, c.get("attn_logit_softcapping").getAsDouble());
            assertEquals(30.0, c.get("final_logit_softcapping").getAsDouble());
            assertEquals(4096, c.get("sliding_window").getAsInt());
            assertEquals("gelu_pytorch_tanh", c.get("hidden_activation").getAsString());
        }
        GgufTensorNames.Transform none = GgufTensorNames.Transform.NONE;
        assertEquals(new GgufTensorNames.Mapped("model.layers.1.input_layernorm.weight", none), GgufTensorNames.map("gemma2", "blk.1.attn_norm.weight"));
        assertEquals(new GgufTensorNames.Mapped("model.layers.1.post_attention_layernorm.weight", none),
                GgufTensorNames.map("gemma2", "blk.1.post_attention_norm.weight"));
        assertEquals(new GgufTensorNames.Mapped("model.layers.1.pre_feedforward_layernorm.weight", none),
                GgufTensorNames.map("gemma2", "blk.1.ffn_norm.weight"));
        assertEquals(new GgufTensorNames.Mapped("model.layers.1.post_feedforward_layernorm.weight", none),
                GgufTensorNames.map("gemma2", "blk.1.post_ffw_norm.weight"));
        assertEquals(new GgufTensorNames.Mapped("model.norm.weight", none), GgufTensorNames.map("gemma2", "output_norm.weight"));
        assertNull(GgufTensorNames.map("gemma2", "blk.1.attn_q_norm.weight"), "Gemma-2 has no q/k norms");
    }

    @Test
    void gemma3ConfigAsLlamaCppRunsIt() throws IOException {
        try (GgufFile gguf = open(common("gemma3").u32("gemma3.attention.key_length", 256).u32("gemma3.attention.sliding_window", 512)
                .string("gemma3.rope.scaling.type", "linear").f32("gemma3.rope.scaling.factor", 8f))) {
            JsonObject c = GgufConfig.of(gguf, 1000);
            assertEquals("gemma3_text", c.get("model_type").getAsString());
            assertEquals("Gemma3ForCausalLM", c.getAsJsonArray("architectures").get(0).getAsString());
            assertEquals(256, c.get("query_pre_attn_scalar").getAsInt());
            assertEquals(512, c.get("sliding_window").getAsInt());
            assertEquals(6, c.get("sliding_window_pattern").getAsInt(), "llama.cpp's fixed pattern");
            assertEquals(10000.0, c.get("rope_local_base_freq").getAsDouble());
            assertEquals(8.0, c.getAsJsonObject("rope_scaling").get("factor").getAsDouble());
            assertFalse(c.has("final_logit_softcapping"));
        }
        try (GgufFile gguf = open(common("gemma3"))) {
            assertEquals(1, GgufConfig.of(gguf, 1000).get("sliding_window_pattern").getAsInt(), "no window: every layer global");
        }
        assertEquals("model.layers.2.self_attn.k_norm.weight", GgufTensorNames.map("gemma3", "blk.2.attn_k_norm.weight").name());
        assertEquals("model.layers.2.post_feedforward_layernorm.weight", GgufTensorNames.map("gemma3", "blk.2.post_ffw_norm.weight").name());
    }

    @Test
    void phi3KeepsItsFusedProjections() throws IOException {
        try (GgufFile gguf = open(common("phi3").u32("phi3.rope.dimension_count", 16).u32("phi3.attention.sliding_window", 2047)
                .u32("phi3.rope.scaling.original_context_length", 4096))) {
            JsonObject c = GgufConfig.of(gguf, 1000);
            assertEquals("phi3", c.get("model_type").getAsString());
            assertEquals(0.5, c.get("partial_rotary_factor").getAsDouble(), "16 of 32 head dims rotate");
            assertEquals(2047, c.get("sliding_window").getAsInt());
            assertEquals(4096, c.get("original_max_position_embeddings").getAsInt());
        }
        assertEquals("model.layers.2.self_attn.qkv_proj.weight", GgufTensorNames.map("phi3", "blk.2.attn_qkv.weight").name());
        assertEquals("model.layers.2.mlp.gate_up_proj.weight", GgufTensorNames.map("phi3", "blk.2.ffn_up.weight").name());
        assertEquals("model.layers.2.mlp.down_proj.weight", GgufTensorNames.map("phi3", "blk.2.ffn_down.weight").name());
        assertEquals("model.layers.2.self_attn.o_proj.weight", GgufTensorNames.map("phi3", "blk.2.attn_output.weight").name());
        assertEquals("model.layers.2.post_attention_layernorm.weight", GgufTensorNames.map("phi3", "blk.2.ffn_norm.weight").name());
        assertNull(GgufTensorNames.map("phi3", "blk.2.attn_q.weight"));
        assertNull(GgufTensorNames.map("phi3", "blk.2.ffn_gate.weight"));
    }

    @Test
    void gpt2AndLlamaNames() {
        assertEquals(new GgufTensorNames.Mapped("h.4.attn.c_attn.weight", GgufTensorNames.Transform.TRANSPOSE),
                GgufTensorNames.map("gpt2", "blk.4.attn_qkv.weight"));
        assertEquals(new GgufTensorNames.Mapped("h.4.attn.c_attn.bias", GgufTensorNames.Transform.NONE),
                GgufTensorNames.map("gpt2", "blk.4.attn_qkv.bias"));
        assertEquals(new GgufTensorNames.Mapped("h.4.ln_2.weight", GgufTensorNames.Transform.NONE), GgufTensorNames.map("gpt2", "blk.4.ffn_norm.weight"));
        assertEquals("wpe.weight", GgufTensorNames.map("gpt2", "position_embd.weight").name());
        assertEquals("ln_f.bias", GgufTensorNames.map("gpt2", "output_norm.bias").name());
        assertEquals("lm_head.weight", GgufTensorNames.map("llama", "output.weight").name());
        assertEquals("model.layers.10.mlp.gate_proj.weight", GgufTensorNames.map("llama", "blk.10.ffn_gate.weight").name());
        assertEquals("model.layers.0.self_attn.q_proj.bias", GgufTensorNames.map("qwen2", "blk.0.attn_q.bias").name());
        assertNull(GgufTensorNames.map("llama", "position_embd.weight"));
        assertNull(GgufTensorNames.map("llama", "blk.x.attn_q.weight"));
    }

    @Test
    void refusesWhatItDoesNotUnderstand() throws IOException {
        GgufWriter ropeFactors = common("phi3").tensor("rope_factors_long.weight", GgmlType.F32, new long[] {4}, new byte[16]);
        try (GgufFile gguf = open(ropeFactors)) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> GgufTensorSource.of(gguf, "phi3"));
            assertTrue(e.getMessage().contains("'rope_factors_long.weight' holds per-frequency RoPE factors, which are supported "
                    + "for 'llama' files only"), e.getMessage());
        }
        try (GgufFile gguf = open(common("llama").tensor("blk.0.attn_sinks.weight", GgmlType.F32, new long[] {4}, new byte[16]))) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> GgufTensorSource.of(gguf, "llama"));
            assertTrue(e.getMessage().contains("'blk.0.attn_sinks.weight' is not part of a GGUF 'llama' model"), e.getMessage());
        }
        try (GgufFile gguf = open(common("mamba"))) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> GgufConfig.of(gguf, 10));
            assertTrue(e.getMessage().contains("unsupported GGUF architecture 'mamba'; supported: llama, qwen2, qwen3, gemma2, gemma3, phi3, gpt2"));
        }
        try (GgufFile gguf = open(common("llama").u32("llama.rope.dimension_count", 16))) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> GgufConfig.of(gguf, 10));
            assertTrue(e.getMessage().contains("partial rotary is not supported for llama"), e.getMessage());
        }
        try (GgufFile gguf = open(new GgufWriter().string("general.architecture", "llama"))) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> GgufConfig.of(gguf, 10));
            assertTrue(e.getMessage().endsWith("GGUF metadata has no 'llama.block_count'"), e.getMessage());
        }
    }

    @Test
    void ropeScalingIsPassedOnForTheMapperToJudge() throws IOException {
        try (GgufFile gguf = open(common("llama").string("llama.rope.scaling.type", "linear").f32("llama.rope.scaling.factor", 4f))) {
            JsonObject scaling = GgufConfig.of(gguf, 10).getAsJsonObject("rope_scaling");
            assertEquals("linear", scaling.get("rope_type").getAsString());
            assertEquals(4.0, scaling.get("factor").getAsDouble());
        }
        try (GgufFile gguf = open(common("llama"))) {
            assertFalse(GgufConfig.of(gguf, 10).has("rope_scaling"));
        }
    }
}
