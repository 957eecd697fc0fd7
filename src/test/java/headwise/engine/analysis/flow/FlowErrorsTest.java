package headwise.engine.analysis.flow;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Analyses asked of the wrong model or position say so. */
class FlowErrorsTest {

    @Test
    void flowCutNeedsAVisionTransformer() {
        try (LoadedModel gpt2 = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(gpt2, Fixtures.inputIds("gpt2_f32"));
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> FlowCut.compute(gpt2, input));
            assertTrue(e.getMessage().contains("not a vision transformer"), e.getMessage());

            HeadwiseException target = assertThrows(HeadwiseException.class,
                    () -> ContributionGraphs.compute(gpt2, input, input.length(), 0.04));
            assertTrue(target.getMessage().contains("target token"), target.getMessage());
        }
    }
}
