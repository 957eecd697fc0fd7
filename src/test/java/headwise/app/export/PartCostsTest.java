package headwise.app.export;

import headwise.app.export.SessionAnalysis.Part;
import headwise.engine.model.ModelSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cost estimates behind "compute what is cheap on its own" and the buttons' "about 40 s". */
class PartCostsTest {

    /** all-MiniLM-L6-v2's shape: 6 layers of 12 heads, d 384, MLP 1536. */
    private static final ModelSpec MINILM = spec(6, 12, 384, 1536);
    /** GPT-2 small's. */
    private static final ModelSpec GPT2 = spec(12, 12, 768, 3072);

    private static ModelSpec spec(int layers, int heads, int d, int mlp) {
        return new ModelSpec("test", "Test", layers, heads, heads, d, d / heads, mlp, 1000, 8192, false,
                ModelSpec.Norm.LAYER_NORM, false, 1e-5, ModelSpec.Activation.GELU_ERF, ModelSpec.Output.HIDDEN_STATE, null, 0, null);
    }

    @Test
    void aShortInputOnASmallModelIsCheapEverywhereALongOneIsNot() {
        PartCosts costs = new PartCosts();
        double forward = 0.01; // 13 tokens of MiniLM, warm
        for (Part part : new Part[] {Part.METRICS, Part.IMPORTANCE, Part.FLOW}) {
            assertTrue(costs.cheap(part, MINILM, 13, forward), part + ": " + costs.seconds(part, MINILM, 13, forward));
        }
        assertFalse(costs.cheap(Part.COMPARISON, MINILM, 13, forward), "the comparison needs a second input: never on its own");
        // GPT-2 small at 1024 tokens, a forward of a second: importance is 72 forwards and more
        assertEquals(75, costs.seconds(Part.IMPORTANCE, GPT2, 1024, 1.0), 1e-9);
        assertFalse(costs.cheap(Part.IMPORTANCE, GPT2, 1024, 1.0));
    }

    @Test
    void workThatGrowsFasterThanTheForwardCostsMoreForwardsOnLongInputs() {
        assertTrue(PartCosts.forwards(Part.FLOW, MINILM, 4096) > 4 * PartCosts.forwards(Part.FLOW, MINILM, 64),
                "the contribution norms grow with T\u00b2\u00b7d against the forward's T\u00b7d\u00b2");
        assertTrue(PartCosts.forwards(Part.METRICS, MINILM, 4096) > 4 * PartCosts.forwards(Part.METRICS, MINILM, 64),
                "rollout grows with T\u00b3");
        assertEquals(PartCosts.forwards(Part.IMPORTANCE, MINILM, 64), PartCosts.forwards(Part.IMPORTANCE, MINILM, 4096),
                "ablation is forwards whatever T");
    }

    @Test
    void aMeasuredPartCorrectsItsNextEstimateWithinBounds() {
        PartCosts costs = new PartCosts();
        double before = costs.seconds(Part.IMPORTANCE, MINILM, 100, 0.05);
        costs.measured(Part.IMPORTANCE, MINILM, 100, 0.05, before / 2);
        assertEquals(before / 2, costs.seconds(Part.IMPORTANCE, MINILM, 100, 0.05), 1e-9);
        assertEquals(2 * costs.seconds(Part.IMPORTANCE, MINILM, 100, 0.05), costs.seconds(Part.IMPORTANCE, MINILM, 100, 0.1), 1e-9,
                "the correction carries over to other forwards");
        costs.measured(Part.FLOW, MINILM, 100, 0.05, 1e6);
        assertEquals(10 * PartCosts.forwards(Part.FLOW, MINILM, 100) * 0.05, costs.seconds(Part.FLOW, MINILM, 100, 0.05), 1e-9,
                "one odd measurement moves it 10\u00d7 at most");
    }

    @Test
    void theButtonSaysTheCostInWords() {
        assertEquals("under a second", PartCosts.describe(0.3));
        assertEquals("about 40 s", PartCosts.describe(40.4));
        assertEquals("about 3 min", PartCosts.describe(170));
        assertEquals("about 2.0 h", PartCosts.describe(7200));
    }
}
