package headwise.engine;

import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every family, name variant, dtype and sharding against the independent float64 PyTorch forward of
 * make_fixtures.py: attention and output within 1e-5 for F32 weights. The F16/BF16 references run on the same
 * rounded weights, so what is left there is float32 arithmetic too, and each has a bound about twice its measured
 * error (max|err| attention, output, printed by the test; 2-core x86 VM, OMP_NUM_THREADS=2): gpt2_f16 3.4e-6,
 * 5.3e-6; gpt2_bf16 2.2e-6, 5.8e-6; bert_f16 1.4e-6, 1.4e-6; bert_bf16 1.1e-6, 1.7e-6.
 */
class ReferenceFidelityTest {

    private static final Map<String, Double> HALF_PRECISION_TOLERANCE =
            Map.of("gpt2_f16", 1e-5, "gpt2_bf16", 1e-5, "bert_f16", 3e-6, "bert_bf16", 4e-6);

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "gpt2_noprefix_f32", "gpt2_lmhead_f32", "gpt2_f16", "gpt2_bf16", "gpt2_sharded",
            "bert_f32", "bert_prefix_gamma_f32", "bert_f16", "bert_bf16", "bert_sharded"})
    void matchesPyTorch(String fixture) {
        double tolerance = HALF_PRECISION_TOLERANCE.getOrDefault(fixture, 1e-5);
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            AnalysisResult result = Analyzer.analyze(model, ModelInput.fromIds(model, Fixtures.inputIds(fixture)));

            Fixtures.RunErrors errors = Fixtures.runErrors(fixture, result);
            double attentionError = errors.attention();
            double outputError = errors.output();

            System.out.printf("fidelity %-22s attention max|err| %.2e  output max|err| %.2e%n", fixture, attentionError, outputError);
            assertTrue(attentionError <= tolerance, fixture + " attention error " + attentionError);
            assertTrue(outputError <= tolerance, fixture + " output error " + outputError);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "bert_f32"})
    void interventionsMatchPyTorch(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds(fixture));
            assertOutput(fixture, "ablate_zero_L1H2.npy",
                    Analyzer.analyze(model, input, Interventions.ablateHeads(Hooks.none(), 1, Interventions.Ablation.ZERO, 2)));
            assertOutput(fixture, "ablate_mean_L1H2.npy",
                    Analyzer.analyze(model, input, Interventions.ablateHeads(Hooks.none(), 1, Interventions.Ablation.MEAN, 2)));
            assertOutput(fixture, "reweight_L1_k0_g0.5.npy",
                    Analyzer.analyze(model, input, Interventions.reweightKeys(Hooks.none(), 1, 0.5, new int[] {0})));
        }
    }

    private static void assertOutput(String fixture, String reference, AnalysisResult result) {
        double error = Fixtures.maxAbsDiff(Fixtures.reference(fixture, reference).values(), result.output().values());
        System.out.printf("intervention %-10s %-26s max|err| %.2e%n", fixture, reference, error);
        assertTrue(error <= 1e-5, fixture + " " + reference + " error " + error);
    }
}
