package headwise.engine.family;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json variants of the newer families the fixtures do not cover: defaults, and the one-line refusals. */
class FamilyConfigTest {

    private static final Path CONFIG = Path.of("some-model", "config.json");
    private static final String BASE = "\"hidden_size\": 64, \"num_hidden_layers\": 4, \"num_attention_heads\": 4, "
            + "\"intermediate_size\": 160, \"vocab_size\": 97";

    @Test
    void defaultsAreHuggingFaces() {
        ModelSpec pythia = spec("gpt_neox", "");
        assertTrue(pythia.variant().parallelResidual(), "use_parallel_residual defaults to true");
        assertEquals(4, pythia.rope().rotaryDims(), "rotary_pct defaults to 0.25 of 16");
        assertEquals(10000, pythia.rope().theta());
        assertEquals(500, spec("gpt_neox", ", \"rope_theta\": 500").rope().theta(), "newer configs say rope_theta");
        assertEquals(0, spec("gpt_neox", ", \"rotary_pct\": 1.0").rope().rotaryDims(), "all channels: no partial rotary");

        ModelSpec gemma2 = spec("gemma2", "");
        assertEquals(50, gemma2.variant().scoreSoftcap(), "Gemma2Config's defaults when the keys are absent");
        assertEquals(30, gemma2.variant().logitSoftcap());
        assertEquals(4096, gemma2.slidingWindow());
        assertEquals(1 / Math.sqrt(256), gemma2.attentionScale(), 1e-12);
        assertEquals(0, spec("gemma2", ", \"attn_logit_softcapping\": null").variant().scoreSoftcap(), "null: none");

        ModelSpec gemma3 = spec("gemma3_text", ", \"sliding_window_pattern\": 2");
        assertEquals(List.of(true, false, true, false), gemma3.variant().slidingLayers());
        assertEquals(1_000_000, gemma3.rope(1).theta());
        assertEquals(10_000, gemma3.rope(0).theta());
        ModelSpec typed = spec("gemma3_text", ", \"layer_types\": [\"full_attention\", \"sliding_attention\", "
                + "\"sliding_attention\", \"sliding_attention\"]");
        assertEquals(List.of(false, true, true, true), typed.variant().slidingLayers(), "layer_types wins over the pattern");
        ModelSpec v5 = spec("gemma3_text", ", \"sliding_window_pattern\": 2, \"rope_parameters\": {\"full_attention\": {\"rope_type\": \"linear\", "
                + "\"factor\": 8.0, \"rope_theta\": 1000000.0}, \"sliding_attention\": {\"rope_type\": \"default\", "
                + "\"rope_theta\": 20000.0}}");
        assertEquals(new ModelSpec.RopeScaling("linear", 8, 0, 0, 0), v5.rope(1).scaling());
        assertEquals(1_000_000, v5.rope(1).theta());
        assertEquals(20000, v5.rope(0).theta(), "Transformers 5's per-layer-type rope_parameters");

        ModelSpec gemma = spec("gemma", ", \"hidden_act\": \"gelu\"");
        assertEquals(ModelSpec.Activation.GELU_TANH_GATED, gemma.activation(), "hidden_activation absent: tanh GELU");
        assertNull(gemma.variant().slidingLayers());
        assertEquals(0, gemma.slidingWindow());

        assertFalse(spec("opt", ", \"ffn_dim\": 128, \"max_position_embeddings\": 32").postNorm());
        assertEquals(0, spec("phi3", "").rope().rotaryDims(), "partial_rotary_factor defaults to 1");
        assertEquals(0, spec("qwen3", ", \"sliding_window\": 4").slidingWindow(), "use_sliding_window false");
    }

    @Test
    void unsupportedRequestsAreOneLineNamingTheKey() {
        refused("qwen3", ", \"num_experts\": 8", "\"num_experts\": 8 asks for a mixture-of-experts MLP");
        refused("llama", ", \"num_local_experts\": 8", "\"num_local_experts\": 8");
        refused("gpt_neox", ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}", "\"rope_scaling\"");
        refused("phi3", ", \"rope_scaling\": {\"type\": \"longrope\", \"long_factor\": [1.0]}", "rope_scaling type 'longrope'");
        refused("qwen3", ", \"layer_types\": [\"linear_attention\", \"full_attention\", \"full_attention\", "
                + "\"full_attention\"]", "\"layer_types\": 'linear_attention'");
        refused("gemma2", ", \"layer_types\": [\"full_attention\"]", "one type for each of the 4 layers");
        refused("gemma2", ", \"hidden_activation\": \"silu\"", "\"hidden_activation\" 'silu'");
        refused("gpt_neox", ", \"rotary_pct\": 0.1", "\"rotary_pct\": 0.1 gives 1 rotary channels");
        refused("phi3", ", \"partial_rotary_factor\": 0.0", "\"partial_rotary_factor\": 0.0");
        refused("gpt_neox", ", \"hidden_act\": \"silu\"", "not gated");
        refused("opt", ", \"ffn_dim\": 128, \"max_position_embeddings\": 32, \"layer_norm_elementwise_affine\": false",
                "layer_norm_elementwise_affine");
        refused("gemma2", ", \"query_pre_attn_scalar\": 0", "query_pre_attn_scalar");
        refused("gemma3_text", ", \"use_bidirectional_attention\": true", "\"use_bidirectional_attention\": true");
        // read without its weights, a config's layer count must not size a per-layer list by itself
        refused("gemma2", ", \"num_hidden_layers\": 100000000", "the layer count 100000000 is more than any transformer has");
        refused("qwen2", ", \"num_hidden_layers\": 100000000", "the layer count 100000000");
    }

    private static ModelSpec spec(String modelType, String extra) {
        JsonObject config = JsonParser.parseString("{\"model_type\": \"" + modelType + "\", " + BASE + extra + "}").getAsJsonObject();
        return Families.forConfig(CONFIG, config).spec(CONFIG, config);
    }

    private static void refused(String modelType, String extra, String says) {
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> spec(modelType, extra));
        assertTrue(e.getMessage().startsWith(CONFIG + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
