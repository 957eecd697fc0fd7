package headwise.engine.analysis.importance;

import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientImportanceTest {

    /** The SameDiff forward is the real forward: outputs within 1e-4 for every family. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "gpt2_noprefix_f32", "bert_f32", "llama_f32", "llama_mqa_tied_f32", "llama3_scaling_f32",
            "llama_linear_scaling_f32", "mistral_window_f32", "qwen2_f32", "llama_bare_f32", "pythia_f32", "pythia_sequential_f32",
            "gemma_f32", "gemma2_f32", "gemma3_f32", "qwen3_f32", "phi3_f32", "opt_f32", "opt_postln_f32"})
    void sameDiffForwardMatchesTheTransformer(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer t = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            INDArray real = t.run(new int[][] {ids}, Hooks.none()).output();
            Objective objective = Objective.defaultFor(t.spec(), t.weights(), real);
            GatedForward graph = GatedForward.build(t.spec(), t.weights(), t.embed(new int[][] {ids}, 0), ids, objective);
            double error = maxAbsDiff(real, graph.output());
            System.out.printf("samediff forward %-26s max|err| %.2e%n", fixture, error);
            assertTrue(error <= 1e-4, fixture + " error " + error);
            assertEquals(objective.evaluate(real, ids), graph.loss(), 1e-4);
        }
    }

    @Test
    void sameDiffForwardMatchesAVisionClassifier() {
        for (String fixture : new String[] {"vit_f32", "deit_distilled_f32"}) {
            try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
                Transformer t = model.transformer();
                INDArray embedded = randomImage(model);
                INDArray real = t.runFromEmbeddings(embedded, Hooks.none()).output();
                GatedForward graph = GatedForward.build(t.spec(), t.weights(), embedded, null,
                        Objective.defaultFor(t.spec(), t.weights(), real));
                double error = maxAbsDiff(real, graph.output());
                System.out.printf("samediff forward %-26s max|err| %.2e%n", fixture, error);
                assertTrue(error <= 1e-4, fixture + " error " + error);
            }
        }
    }

    /** ∂L/∂ξ from one backward pass against central differences of the real forward with head h gated by 1 ± ε. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "bert_f32", "llama_f32", "mistral_window_f32", "vit_f32", "pythia_f32", "gemma2_f32",
            "gemma3_f32", "phi3_f32", "opt_f32", "opt_postln_f32"})
    void gradientsMatchFiniteDifferencesOfTheRealForward(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer t = model.transformer();
            boolean vision = t.spec().vision() != null;
            int[] ids = vision ? null : Fixtures.inputIds(fixture);
            INDArray embedded = vision ? randomImage(model) : null;
            GradientScores scores = GradientImportance.compute(t, ids, embedded, GradientImportance.Options.defaults());
            INDArray clean = vision ? t.runFromEmbeddings(embedded, Hooks.none()).output() : t.run(new int[][] {ids}, Hooks.none()).output();
            Objective objective = Objective.defaultFor(t.spec(), t.weights(), clean);
            assertEquals(objective.evaluate(clean, ids), scores.loss(), 1e-4);
            DoubleReference reference = new DoubleReference(t);
            assertTrue(maxAbsDiff(clean, reference.output(ids, embedded, reference.hooks())) <= 1e-4, "float64 copy is the model");
            double worst = 0;
            double largest = 0;
            for (int l = 0; l < t.spec().layers(); l++) {
                for (int h = 0; h < t.spec().heads(); h++) {
                    largest = Math.max(largest, Math.abs(scores.gradient()[l][h]));
                }
            }
            for (int l = 0; l < t.spec().layers(); l++) {
                for (int h = 0; h < t.spec().heads(); h++) {
                    double fd = finiteDifference(reference, ids, embedded, objective, l, h);
                    double g = scores.gradient()[l][h];
                    // relative error, with a floor at 1% of the largest gradient for heads that barely matter
                    double relative = Math.abs(g - fd) / Math.max(Math.abs(fd), 0.01 * largest);
                    worst = Math.max(worst, relative);
                    assertEquals(Math.abs(g), scores.importance()[l][h], 0);
                }
            }
            System.out.printf("gradient %-10s (%s) largest |dL/dxi| %.3e, worst relative error vs finite differences %.2e%n",
                    fixture, scores.objective(), largest, worst);
            assertTrue(worst <= 1e-3, fixture + " relative error " + worst);
        }
    }

    @Test
    void layerNormalisationGivesUnitNormLayers() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            GradientScores scores = GradientImportance.compute(model.transformer(), Fixtures.inputIds("gpt2_f32"),
                    new GradientImportance.Options(null, true));
            for (double[] layer : scores.importance()) {
                assertEquals(1.0, Math.sqrt(java.util.Arrays.stream(layer).map(v -> v * v).sum()), 1e-9);
            }
        }
    }

    /**
     * Central difference of L(ξ) at ξ = 1 on the real forward in float64 (error O(ε²) ≈ 1e-8 relative). A ReLU model
     * (OPT) is piecewise linear: a step of 1e-4 straddled kinks and read 20% off in layer 0, 1e-6 agrees to 6 digits.
     */
    static double finiteDifference(DoubleReference reference, int[] ids, INDArray embedded, Objective objective, int layer, int head) {
        double eps = reference.transformer.spec().activation() == ModelSpec.Activation.RELU ? 1e-6 : 1e-4;
        return (eval(reference, ids, embedded, objective, layer, head, 1 + eps)
                - eval(reference, ids, embedded, objective, layer, head, 1 - eps)) / (2 * eps);
    }

    static double eval(DoubleReference reference, int[] ids, INDArray embedded, Objective objective, int layer, int head, double gate) {
        Hooks hooks = reference.hooks().intervene(headwise.engine.hooks.HookNames.z(layer), GradientImportance.gate(head, gate));
        return objective.evaluate(reference.output(ids, embedded, hooks), ids);
    }

    static INDArray randomImage(LoadedModel model) {
        ModelSpec.Vision vision = model.spec().vision();
        float[] pixels = new float[vision.channels() * vision.imageSize() * vision.imageSize()];
        Random random = new Random(7);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        return PatchEmbedding.embed(model.spec(), model.transformer().weights().vision(), pixels);
    }

    static double maxAbsDiff(INDArray real, INDArray graph) {
        double[] a = real.dup('c').data().asDouble();
        double[] b = graph.dup('c').data().asDouble();
        assertEquals(a.length, b.length, "output sizes");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
