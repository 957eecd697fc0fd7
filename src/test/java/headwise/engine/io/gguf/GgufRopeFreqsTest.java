package headwise.engine.io.gguf;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Llama-3.1-style GGUF files: llama.cpp's converter writes the llama3 rope_scaling as a {@code rope_freqs} tensor (one
 * divisor per rotated pair) and nothing in the metadata. The llama3_scaling_f32 fixture (factor 8, low 1, high 4,
 * original 32 positions, theta 500) written so, with q/k permuted, against its PyTorch reference.
 */
class GgufRopeFreqsTest {

    private static final String FIXTURE = "llama3_scaling_f32";

    @TempDir
    Path dir;

    @Test
    void ropeFreqsGiveTheLlama3Frequencies() {
        Path file = TinyLlamaGguf.writer(Fixtures.model(FIXTURE), false, true)
                .tensor("rope_freqs.weight", GgmlType.F32, new long[] {8}, GgmlQuantizer.f32(converterFactors(500, 16, 8, 1, 4, 32)))
                .write(dir.resolve("llama31.gguf"));
        Path without = TinyLlamaGguf.write(Fixtures.model(FIXTURE), dir.resolve("plain.gguf"), false, true);
        int[] ids = Fixtures.inputIds(FIXTURE);
        try (LoadedModel model = ModelLoader.load(file.toString()); LoadedModel plain = ModelLoader.load(without.toString())) {
            assertEquals("factors", model.spec().rope().scaling().type());
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, ids));
            double attention = Fixtures.maxAbsDiff(Fixtures.reference(FIXTURE, "attention.npy").values(), result.attention().values());
            double logits = Fixtures.maxAbsDiff(Fixtures.reference(FIXTURE, "output.npy").values(), result.output().values());
            double unscaled = Fixtures.maxAbsDiff(Fixtures.reference(FIXTURE, "output.npy").values(),
                    Analyzer.analyze(plain, ModelInput.fromIds(plain, ids)).output().values());
            System.out.printf("GGUF llama with rope_freqs vs PyTorch llama3 scaling: attention %.2e, logits %.2e (without: %.2e)%n",
                    attention, logits, unscaled);
            assertTrue(attention <= 1e-5, "attention " + attention);
            assertTrue(logits <= 1e-5, "logits " + logits);
            assertTrue(unscaled > 1e-3, "the scaling matters in this fixture: " + unscaled);
        }
    }

    @Test
    void badRopeFreqsAreRefusedInOneLine() {
        Path wrongLength = TinyLlamaGguf.writer(Fixtures.model(FIXTURE), false, true)
                .tensor("rope_freqs.weight", GgmlType.F32, new long[] {4}, GgmlQuantizer.f32(new float[] {1, 1, 1, 1}))
                .write(dir.resolve("short.gguf"));
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ModelLoader.load(wrongLength.toString()));
        assertTrue(e.getMessage().contains("tensor 'rope_freqs.weight' should hold 8 values (one per rotated pair of a head), holds 4"),
                e.getMessage());
        Path zero = TinyLlamaGguf.writer(Fixtures.model(FIXTURE), false, true)
                .tensor("rope_freqs.weight", GgmlType.F32, new long[] {8}, GgmlQuantizer.f32(new float[] {1, 1, 1, 1, 1, 1, 1, 0}))
                .write(dir.resolve("zero.gguf"));
        e = assertThrows(HeadwiseException.class, () -> ModelLoader.load(zero.toString()));
        assertTrue(e.getMessage().contains("RoPE frequency factors must be positive and finite"), e.getMessage());
        Path twice = TinyLlamaGguf.writer(Fixtures.model(FIXTURE), false, true)
                .string("llama.rope.scaling.type", "linear").f32("llama.rope.scaling.factor", 2f)
                .tensor("rope_freqs.weight", GgmlType.F32, new long[] {8}, GgmlQuantizer.f32(new float[] {1, 1, 1, 1, 1, 1, 1, 1}))
                .write(dir.resolve("twice.gguf"));
        e = assertThrows(HeadwiseException.class, () -> ModelLoader.load(twice.toString()));
        assertTrue(e.getMessage().contains("both 'rope_freqs.weight' and llama.rope.scaling.type 'linear'"), e.getMessage());
    }

    /** LlamaModel.generate_extra_tensors of convert_hf_to_gguf.py: float32 frequencies, the factors in double. */
    private static float[] converterFactors(double base, int dim, double factor, double low, double high, int original) {
        float[] out = new float[dim / 2];
        double lowWavelength = original / low;
        double highWavelength = original / high;
        for (int i = 0; i < dim / 2; i++) {
            float frequency = (float) (1.0 / Math.pow(base, (float) (2 * i) / dim));
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highWavelength) {
                out[i] = 1;
            } else if (wavelength > lowWavelength) {
                out[i] = (float) factor;
            } else {
                double smooth = (original / wavelength - low) / (high - low);
                out[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
