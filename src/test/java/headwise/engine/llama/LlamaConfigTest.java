package headwise.engine.llama;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.HeadwiseException;
import headwise.engine.family.LlamaMapper;
import headwise.engine.model.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json variants the fixtures do not cover: defaults, newer key spellings, and what is refused. */
class LlamaConfigTest {

    private static final Path CONFIG = Path.of("some-model", "config.json");
    private static final String BASE = "\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, "
            + "\"intermediate_size\": 160, \"vocab_size\": 97";

    @Test
    void defaults() {
        ModelSpec spec = spec("llama", "");
        assertEquals(4, spec.kvHeads(), "num_key_value_heads defaults to the heads");
        assertEquals(16, spec.dHead());
        assertEquals(10000, spec.rope().theta());
        assertEquals(ModelSpec.RopeLayout.ROTATE_HALF, spec.rope().layout());
        assertEquals(1e-6, spec.normEps());
        assertEquals(0, spec.slidingWindow());
        assertTrue(spec.causal());
        assertEquals(ModelSpec.Output.LM_LOGITS, spec.output(), "no architectures: a causal LM");
    }

    @Test
    void newerSpellings() {
        // Transformers 5 keeps theta and scaling in rope_parameters; "rope_type": "default" is plain RoPE
        ModelSpec plain = spec("llama", ", \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 500000.0}");
        assertEquals(500000, plain.rope().theta());
        assertNull(plain.rope().scaling());
        ModelSpec llama3 = spec("llama", ", \"rope_parameters\": {\"rope_type\": \"llama3\", \"rope_theta\": 500000.0, "
                + "\"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}");
        assertEquals(new ModelSpec.RopeScaling("llama3", 32, 1, 4, 8192), llama3.rope().scaling());
        // per-layer types written by newer Transformers decide for Qwen2
        assertEquals(8, spec("qwen2", ", \"use_sliding_window\": true, \"sliding_window\": 8, "
                + "\"layer_types\": [\"sliding_attention\", \"sliding_attention\"]").slidingWindow());
    }

    @Test
    void slidingWindows() {
        assertEquals(0, spec("llama", ", \"sliding_window\": 8").slidingWindow(), "Llama has no window");
        assertEquals(8, spec("mistral", ", \"sliding_window\": 8").slidingWindow());
        assertEquals(0, spec("mistral", ", \"sliding_window\": null").slidingWindow());
        assertEquals(0, spec("qwen2", ", \"sliding_window\": 8, \"max_window_layers\": 0").slidingWindow(),
                "use_sliding_window false");
        assertEquals(8, spec("qwen2", ", \"use_sliding_window\": true, \"sliding_window\": 8, \"max_window_layers\": 0")
                .slidingWindow(), "every layer ≥ max_window_layers slides");
        assertEquals(0, spec("qwen2", ", \"use_sliding_window\": true, \"sliding_window\": 8, \"max_window_layers\": 28")
                .slidingWindow(), "no layer ≥ max_window_layers");
        ModelSpec partly = spec("qwen2", ", \"use_sliding_window\": true, \"sliding_window\": 8, \"max_window_layers\": 1");
        assertEquals(0, partly.window(0), "layer 0 < max_window_layers attends to everything");
        assertEquals(8, partly.window(1));
        ModelSpec typed = spec("mistral", ", \"sliding_window\": 8, \"layer_types\": [\"full_attention\", \"sliding_attention\"]");
        assertEquals(0, typed.window(0), "layer_types decides");
        assertEquals(8, typed.window(1));
    }

    @Test
    void refusesWhatItCannotRunExactly() {
        refused("llama", ", \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}", "rope_scaling type 'dynamic'");
        refused("llama", ", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 2.0}", "rope_scaling type 'yarn'");
        refused("llama", ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}", "low_freq_factor");
        refused("llama", ", \"rope_scaling\": {\"rope_type\": \"linear\"}", "missing \"factor\"");
        refused("llama", ", \"hidden_act\": \"gelu\"", "hidden_act");
        refused("llama", ", \"num_key_value_heads\": 3", "num_key_value_heads");
        refused("llama", ", \"architectures\": [\"LlamaForSequenceClassification\"]", "LlamaForSequenceClassification");
    }

    private static ModelSpec spec(String modelType, String extra) {
        return new LlamaMapper().spec(CONFIG, config(modelType, extra));
    }

    private static JsonObject config(String modelType, String extra) {
        return JsonParser.parseString("{\"model_type\": \"" + modelType + "\", " + BASE + extra + "}").getAsJsonObject();
    }

    private static void refused(String modelType, String extra, String says) {
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> spec(modelType, extra));
        assertTrue(e.getMessage().startsWith(CONFIG + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
