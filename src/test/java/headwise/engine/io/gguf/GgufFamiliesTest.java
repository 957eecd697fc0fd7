package headwise.engine.io.gguf;

import com.google.gson.JsonObject;
import headwise.engine.Fixtures;
import headwise.engine.family.CheckpointTensors;
import headwise.engine.family.Families;
import headwise.engine.family.WeightMapper;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.io.TensorSource;
import headwise.engine.json.Json;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The family fixtures written as llama.cpp's converter writes them ({@link HfToGguf}: its tensor names, fused tensors,
 * metadata keys, Gemma's norms as 1 + w, no q/k permutation) and loaded with {@code --model file.gguf}, against the
 * independent PyTorch references: attention and logits to 1e-5. Gemma-2/3 against the reference of the model llama.cpp
 * runs from such a file (it stores no query_pre_attn_scalar and has a fixed local/global pattern for Gemma-3: the
 * fixtures' gguf_*.npy), which differs from the Hugging Face one.
 */
class GgufFamiliesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "gpt2_f32;   gpt2;   GPT2LMHeadModel (GGUF);                    ''",
            "qwen2_f32;  qwen2;  Qwen2ForCausalLM (GGUF, RoPE on halves);   ''",
            "qwen3_f32;  qwen3;  Qwen3ForCausalLM (GGUF, RoPE on halves);   ''",
            "phi3_f32;   phi3;   Phi3ForCausalLM (GGUF, RoPE on halves);    ''",
            "gemma2_f32; gemma2; Gemma2ForCausalLM (GGUF, RoPE on halves);  gguf_",
            "gemma3_f32; gemma3; Gemma3ForCausalLM (GGUF, RoPE on halves);  gguf_"})
    void matchesPyTorch(String fixture, String arch, String architecture, String reference) {
        Path file = HfToGguf.write(Fixtures.model(fixture), arch, dir.resolve(fixture + ".gguf"));
        try (LoadedModel model = ModelLoader.load(file.toString())) {
            assertEquals(architecture, model.spec().architecture());
            if (model.spec().rope() != null) {
                assertEquals(ModelSpec.RopeLayout.ROTATE_HALF, model.spec().rope().layout());
            }
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, Fixtures.inputIds(fixture)));
            Npy.FloatArray attention = Fixtures.reference(fixture, reference + "attention.npy");
            Npy.FloatArray output = Fixtures.reference(fixture, reference + "output.npy");
            double attentionError = Fixtures.maxAbsDiff(attention.values(), result.attention().values());
            double outputError = Fixtures.maxAbsDiff(output.values(), result.output().values());
            System.out.printf("GGUF %-6s F32 vs PyTorch: attention %.2e, logits %.2e%n", arch, attentionError, outputError);
            assertTrue(attentionError <= 1e-5, "attention " + attentionError);
            assertTrue(outputError <= 1e-5, "logits " + outputError);
            if (!reference.isEmpty()) {
                // the llama.cpp reading really is another model than the Hugging Face one, so the test tells them apart
                double fromHf = Fixtures.maxAbsDiff(Fixtures.reference(fixture, "output.npy").values(), output.values());
                assertTrue(fromHf > 1e-2, "GGUF and Hugging Face references differ by " + fromHf);
            }
        }
    }

    /**
     * Qwen3 stored as {@code --outtype q8_0} would (every matrix Q8_0, norms F32) against the Hugging Face-layout
     * forward of the fixture on the same dequantised matrices.
     */
    @Test
    void q8MatchesTheHuggingFaceForwardOnTheDequantisedWeights() {
        Path fixture = Fixtures.model("qwen3_f32");
        Path file = HfToGguf.write(fixture, "qwen3", dir.resolve("qwen3-q8_0.gguf"), true);
        int[] ids = Fixtures.inputIds("qwen3_f32");
        try (LoadedModel gguf = ModelLoader.load(file.toString());
             SafetensorsFile hf = SafetensorsFile.open(fixture.resolve("model.safetensors"))) {
            assertEquals(GgmlType.Q8_0, typeOf(file, "blk.1.attn_q.weight"));
            assertEquals(GgmlType.F32, typeOf(file, "blk.1.attn_q_norm.weight"));
            AnalysisResult fromGguf = Analyzer.analyze(gguf, ModelInput.fromIds(gguf, ids));

            JsonObject config = Json.readObject(fixture.resolve("config.json"));
            WeightMapper mapper = Families.forConfig(fixture, config);
            ModelSpec spec = mapper.spec(fixture.resolve("config.json"), config);
            Transformer reference = new Transformer(spec, mapper.weights(spec, new CheckpointTensors(q8RoundTrip(hf))));
            LoadedModel dequantised = new LoadedModel("reference", fixture, reference, null, f -> null);
            AnalysisResult fromHf = Analyzer.analyze(dequantised, ModelInput.fromIds(dequantised, ids));

            double attention = Fixtures.maxAbsDiff(fromHf.attention().values(), fromGguf.attention().values());
            double logits = Fixtures.maxAbsDiff(fromHf.output().values(), fromGguf.output().values());
            double fromF32 = Fixtures.maxAbsDiff(Fixtures.reference("qwen3_f32", "output.npy").values(), fromGguf.output().values());
            System.out.printf("GGUF qwen3 Q8_0 vs HF on its dequantised weights: attention %.2e, logits %.2e (F32 reference: %.2e)%n",
                    attention, logits, fromF32);
            assertTrue(attention <= 1e-5, "attention " + attention);
            assertTrue(logits <= 1e-5, "logits " + logits);
            assertTrue(fromF32 > 1e-3, "the matrices really were quantised");
        }
    }

    /**
     * llama.cpp stores Gemma's gains 1 + w; they reach the forward bit for bit (GemmaMapper told so), also where
     * taking the 1 off and adding it back would not give the stored float (gains below 0.5).
     */
    @Test
    void gemmaGainsAreUsedAsStored() {
        float stored = 0.1f;
        assertNotEquals(stored, (stored - 1f) + 1f, "a gain that subtracting and adding 1 would change");
        Path file = HfToGguf.write(Fixtures.model("gemma2_f32"), "gemma2", dir.resolve("gemma2.gguf"));
        try (LoadedModel gguf = ModelLoader.load(file.toString());
             LoadedModel hf = ModelLoader.load(Fixtures.model("gemma2_f32").toString())) {
            float[] fromGguf = gguf.transformer().weights().finalNorm().gain().toFloatVector();
            float[] fromHf = hf.transformer().weights().finalNorm().gain().toFloatVector();
            for (int i = 0; i < fromHf.length; i++) {
                assertEquals(Float.floatToIntBits(fromHf[i]), Float.floatToIntBits(fromGguf[i]), "gain " + i);
            }
        }
        GgufWriter small = new GgufWriter().string("general.architecture", "gemma2").u32("gemma2.block_count", 1)
                .u32("gemma2.embedding_length", 32).u32("gemma2.feed_forward_length", 32).u32("gemma2.attention.head_count", 1)
                .u32("gemma2.attention.head_count_kv", 1).u32("gemma2.attention.sliding_window", 4);
        float[] gains = new float[32];
        java.util.Arrays.fill(gains, stored);
        small.tensor("token_embd.weight", GgmlType.F32, new long[] {32, 3}, GgmlQuantizer.f32(new float[96]))
                .tensor("output_norm.weight", GgmlType.F32, new long[] {32}, GgmlQuantizer.f32(gains));
        for (String part : new String[] {"attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm"}) {
            small.tensor("blk.0." + part + ".weight", GgmlType.F32, new long[] {32}, GgmlQuantizer.f32(gains));
        }
        for (String part : new String[] {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
            small.tensor("blk.0." + part + ".weight", GgmlType.F32, new long[] {32, 32}, GgmlQuantizer.f32(new float[1024]));
        }
        try (LoadedModel model = ModelLoader.load(small.write(dir.resolve("small.gguf")).toString())) {
            for (float gain : model.transformer().weights().finalNorm().gain().toFloatVector()) {
                assertEquals(Float.floatToIntBits(stored), Float.floatToIntBits(gain));
            }
        }
    }

    private static GgmlType typeOf(Path file, String tensor) {
        try (GgufFile gguf = GgufFile.open(file)) {
            return gguf.tensors().get(tensor).type();
        }
    }

    /** The fixture's tensors, those {@link HfToGguf} stores as Q8_0 quantised and dequantised as ggml does. */
    private static TensorSource q8RoundTrip(SafetensorsFile hf) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return hf.names();
            }

            @Override
            public long[] shape(String name) {
                return hf.shape(name);
            }

            @Override
            public float[] floats(String name) {
                float[] values = hf.floats(name);
                if (!HfToGguf.quantisedAsQ8(hf.shape(name))) {
                    return values;
                }
                float[] out = new float[values.length];
                LegacyQuants.q8_0(ByteBuffer.wrap(GgmlQuantizer.q8_0(values)).order(ByteOrder.LITTLE_ENDIAN), out, 0, values.length / 32);
                return out;
            }

            @Override
            public Path fileOf(String name) {
                return hf.fileOf(name);
            }

            @Override
            public Path location() {
                return hf.location();
            }
        };
    }
}
