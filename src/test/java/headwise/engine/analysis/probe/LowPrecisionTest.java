package headwise.engine.analysis.probe;

import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rounded copy has every weight rounded (and nothing else changed), and runs close to the original. */
class LowPrecisionTest {

    @Test
    void everyWeightIsRoundedAndTheForwardStaysClose() {
        try (LoadedModel gpt2 = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            for (LowPrecision precision : LowPrecision.values()) {
                LoadedModel copy = precision.copyOf(gpt2);
                float[] original = Ops.floats(gpt2.transformer().weights().layers().get(1).mlpIn().weight());
                float[] rounded = Ops.floats(copy.transformer().weights().layers().get(1).mlpIn().weight());
                int changed = 0;
                for (int i = 0; i < original.length; i++) {
                    assertEquals(precision.round(original[i]), rounded[i], 0f);
                    changed += original[i] != rounded[i] ? 1 : 0;
                }
                assertTrue(changed > original.length / 2, precision + " rounds most float32 weights: " + changed);
                assertEquals(gpt2.transformer().weights().layers().size(), copy.transformer().weights().layers().size());
                int[][] ids = {{3, 17, 42, 8}};
                float[] a = Ops.floats(gpt2.transformer().run(ids, Hooks.none()).output());
                float[] b = Ops.floats(copy.transformer().run(ids, Hooks.none()).output());
                double error = Fixtures.maxAbsDiff(a, b);
                double bound = precision == LowPrecision.F16 ? 0.05 : 0.3;
                assertTrue(error > 0 && error < bound, precision + " changes the logits a little: " + error);
                assertEquals("gpt2_f32 (" + precision + ")", copy.name());
            }
        }
    }
}
