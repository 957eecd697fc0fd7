package headwise.engine.io.gguf;

import com.google.gson.JsonObject;
import headwise.engine.Fixtures;
import headwise.engine.family.CheckpointTensors;
import headwise.engine.family.LlamaMapper;
import headwise.engine.io.TensorSource;
import headwise.engine.json.Json;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.Generator;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The llama_f32 fixture written as llama.cpp would (Q8_0, Q4_0, F16 and F32 tensors; q/k rows permuted into
 * adjacent-pair order) and loaded with {@code --model file.gguf}, against the Hugging Face-layout forward (rotate-half
 * RoPE, un-permuted q/k) on the same dequantised weights: attention and logits agree to 1e-5.
 */
class GgufLlamaTest {

    @TempDir
    Path dir;

    @Test
    void matchesTheHuggingFaceLayoutForwardOnTheSameDequantisedWeights() {
        Path fixture = Fixtures.model("llama_f32");
        Path file = TinyLlamaGguf.write(fixture, dir.resolve("tiny-llama.gguf"));
        int[] ids = Fixtures.inputIds("llama_f32");
        try (LoadedModel gguf = ModelLoader.load(file.toString())) {
            ModelSpec spec = gguf.spec();
            assertEquals(ModelSpec.RopeLayout.ADJACENT_PAIRS, spec.rope().layout());
            assertEquals("LlamaForCausalLM (GGUF, RoPE on adjacent pairs)", spec.architecture());
            assertEquals("tiny-llama.gguf", gguf.name());
            AnalysisResult fromGguf = Analyzer.analyze(gguf, ModelInput.fromIds(gguf, ids));

            JsonObject config = Json.readObject(fixture.resolve("config.json"));
            LlamaMapper mapper = new LlamaMapper();
            ModelSpec hfSpec = mapper.spec(fixture.resolve("config.json"), config);
            assertEquals(ModelSpec.RopeLayout.ROTATE_HALF, hfSpec.rope().layout());
            Transformer reference;
            try (GgufFile raw = GgufFile.open(file)) {
                reference = new Transformer(hfSpec, mapper.weights(hfSpec, new CheckpointTensors(huggingFaceLayout(raw, hfSpec))));
            }
            LoadedModel hf = new LoadedModel("reference", fixture, reference, null, f -> null);
            AnalysisResult fromHf = Analyzer.analyze(hf, ModelInput.fromIds(hf, ids));

            double attention = Fixtures.maxAbsDiff(fromHf.attention().values(), fromGguf.attention().values());
            double logits = Fixtures.maxAbsDiff(fromHf.output().values(), fromGguf.output().values());
            System.out.printf("GGUF llama (Q8_0/Q4_0/F16) vs HF layout on its dequantised weights: attention %.2e, logits %.2e%n",
                    attention, logits);
            assertTrue(attention <= 1e-5, "attention " + attention);
            assertTrue(logits <= 1e-5, "logits " + logits);
            // and the quantisation really happened: the weights differ from the F32 fixture's
            try (LoadedModel original = ModelLoader.load(fixture.toString())) {
                AnalysisResult f32 = Analyzer.analyze(original, ModelInput.fromIds(original, ids));
                assertTrue(Fixtures.maxAbsDiff(f32.output().values(), fromGguf.output().values()) > 1e-3);
            }
        }
    }

    @Test
    void tokenizerAndStopIdsComeFromTheMetadata() {
        Path file = TinyLlamaGguf.write(Fixtures.model("llama_f32"), dir.resolve("tiny.gguf"), true);
        try (LoadedModel model = ModelLoader.load(file.toString())) {
            assertTrue(model.hasTokenizer());
            assertArrayEquals(new int[] {1, 35, 40}, model.tokenizer().encode("hello world").ids(), "<s> ▁hello ▁world");
            assertEquals("hello world", model.tokenizer().decode(new int[] {1, 35, 40}));
            assertArrayEquals(new int[] {2}, Generator.defaultStopIds(model), "tokenizer.ggml.eos_token_id");
        }
    }

    /** The GGUF's tensors dequantised, under Hugging Face names, with q/k rows back in rotate-half order. */
    private static TensorSource huggingFaceLayout(GgufFile gguf, ModelSpec spec) {
        Map<String, float[]> values = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        for (GgufTensorInfo info : gguf.tensors().values()) {
            String name = GgufTensorNames.map("llama", info.name()).name();
            float[] v = gguf.floats(info);
            if (name.endsWith("q_proj.weight")) {
                v = TinyLlamaGguf.unpermute(v, spec.heads(), spec.dModel());
            } else if (name.endsWith("k_proj.weight")) {
                v = TinyLlamaGguf.unpermute(v, spec.kvHeads(), spec.dModel());
            }
            values.put(name, v);
            shapes.put(name, info.rowMajorShape());
        }
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return values.keySet();
            }

            @Override
            public long[] shape(String name) {
                return shapes.get(name);
            }

            @Override
            public float[] floats(String name) {
                return values.get(name);
            }

            @Override
            public Path fileOf(String name) {
                return gguf.file();
            }

            @Override
            public Path location() {
                return gguf.file();
            }
        };
    }
}
