package headwise.engine.io.gguf;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPT-2 and Qwen2 fixtures written as F32 GGUF files (rotate-half kept, GPT-2's Conv1D weights stored [out, in]) against
 * the independent PyTorch references of the same fixtures: attention and logits to 1e-5.
 */
class GgufFamiliesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"gpt2_f32; gpt2; GPT2LMHeadModel (GGUF)", "qwen2_f32; qwen2; Qwen2ForCausalLM (GGUF, RoPE on halves)"})
    void matchesPyTorch(String fixture, String arch, String architecture) {
        Path file = HfToGguf.write(Fixtures.model(fixture), arch, dir.resolve(fixture + ".gguf"));
        try (LoadedModel model = ModelLoader.load(file.toString())) {
            assertEquals(architecture, model.spec().architecture());
            if (model.spec().rope() != null) {
                assertEquals(ModelSpec.RopeLayout.ROTATE_HALF, model.spec().rope().layout());
            }
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, Fixtures.inputIds(fixture)));
            Npy.FloatArray attention = Fixtures.reference(fixture, "attention.npy");
            Npy.FloatArray output = Fixtures.reference(fixture, "output.npy");
            double attentionError = Fixtures.maxAbsDiff(attention.values(), result.attention().values());
            double outputError = Fixtures.maxAbsDiff(output.values(), result.output().values());
            System.out.printf("GGUF %-6s F32 vs PyTorch: attention %.2e, logits %.2e%n", arch, attentionError, outputError);
            assertTrue(attentionError <= 1e-5, "attention " + attentionError);
            assertTrue(outputError <= 1e-5, "logits " + outputError);
        }
    }
}
