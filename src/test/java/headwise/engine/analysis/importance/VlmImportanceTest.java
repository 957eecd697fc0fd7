package headwise.engine.analysis.importance;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Head importance on a joined text + image input scores the language model's loss on text targets only (image
 * positions masked as Hugging Face's LLaVA labels them −100), checked against the real forward in float64.
 */
class VlmImportanceTest {

    private static final String FIXTURE = "llava_clip_f32";

    @Test
    void theLossLeavesOutImagePositionsAsTargets() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(FIXTURE).toString())) {
            ModelInput input = Fixtures.joinedInput(model, FIXTURE);
            int[] ids = input.ids();
            int image = model.visionLanguage().imageTokenId();
            int[] masked = ids.clone();
            int images = 0;
            for (int t = 0; t < masked.length; t++) {
                if (masked[t] == image) {
                    masked[t] = -1;
                    images++;
                }
            }
            assertEquals(16, images);
            var spec = model.spec();
            INDArray embedded = Ops.fromFloats(input.embeddings(), 1, input.length(), spec.dModel());
            DoubleReference reference = new DoubleReference(model.transformer());
            Objective nll = Objective.nextTokenNll();
            double maskedLoss = nll.evaluate(reference.output(null, embedded, reference.hooks()), masked);
            double fullLoss = nll.evaluate(reference.output(null, embedded, reference.hooks()), ids);

            GradientScores gradient = GradientImportance.compute(model, input, GradientImportance.Options.defaults());
            assertEquals(maskedLoss, gradient.loss(), 1e-5, "the gradient's loss is the masked one");
            AblationScores ablation = AblationImportance.compute(model, input, Interventions.Ablation.ZERO, AblationImportance.Options.defaults());
            assertEquals(maskedLoss, ablation.baselineLoss(), 1e-5, "the ablation's baseline loss is the masked one");
            assertTrue(Math.abs(fullLoss - maskedLoss) > 0.05, "image targets change the loss: " + fullLoss + " vs " + maskedLoss);

            double largest = 0;
            double worstGradient = 0;
            double worstDelta = 0;
            double unmaskedGap = 0;
            for (int l = 0; l < spec.layers(); l++) {
                for (int h = 0; h < spec.heads(); h++) {
                    largest = Math.max(largest, Math.abs(gradient.gradient()[l][h]));
                }
            }
            for (int l = 0; l < spec.layers(); l++) {
                for (int h = 0; h < spec.heads(); h++) {
                    double fd = GradientImportanceTest.finiteDifference(reference, masked, embedded, nll, l, h);
                    double fdUnmasked = GradientImportanceTest.finiteDifference(reference, ids, embedded, nll, l, h);
                    worstGradient = Math.max(worstGradient, Math.abs(gradient.gradient()[l][h] - fd) / Math.max(Math.abs(fd), 0.01 * largest));
                    unmaskedGap = Math.max(unmaskedGap, Math.abs(gradient.gradient()[l][h] - fdUnmasked) / largest);
                    double ablated = nll.evaluate(reference.output(null, embedded, reference.hooks()
                            .intervene(HookNames.z(l), GradientImportance.gate(h, 0))), masked);
                    worstDelta = Math.max(worstDelta, Math.abs(ablation.deltaLoss()[l][h] - (ablated - maskedLoss)));
                }
            }
            System.out.printf("vlm importance %s: loss masked %.6f, unmasked %.6f; gradient worst relative error %.2e "
                    + "(unmasked reference off by up to %.2f of the largest); ablation Δloss worst error %.2e%n",
                    FIXTURE, maskedLoss, fullLoss, worstGradient, unmaskedGap, worstDelta);
            assertTrue(worstGradient <= 1e-3, "gradient vs masked float64 finite differences: " + worstGradient);
            assertTrue(worstDelta <= 1e-5, "ablation Δloss vs the masked float64 reference: " + worstDelta);
            assertTrue(unmaskedGap > 0.05, "the unmasked loss's gradient differs: " + unmaskedGap);
        }
    }
}
