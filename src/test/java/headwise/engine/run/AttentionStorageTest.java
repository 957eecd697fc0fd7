package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionStorageTest {

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            short half = (short) bits;
            float value = Half.toFloat(half);
            if (Float.isNaN(value)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(value))));
            } else {
                assertEquals(half, Half.fromFloat(value), "half 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void floatsRoundToTheNearestHalfWithTiesToEven() {
        assertEquals(1.0f, Half.toFloat(Half.fromFloat(1.0f + 0x1p-11f)));                      // tie: 1.0 is even
        assertEquals(1.0f + 0x1p-9f, Half.toFloat(Half.fromFloat(1.0f + 0x1p-10f + 0x1p-11f))); // tie: up to even
        assertEquals(1.0f + 0x1p-10f, Half.toFloat(Half.fromFloat(1.0f + 0x1p-11f + 0x1p-20f)));
        assertEquals(0x1p-24f, Half.toFloat(Half.fromFloat(0x1p-24f)));                        // smallest subnormal
        assertEquals(0f, Half.toFloat(Half.fromFloat(0x1p-25f)));                               // tie to even zero
        assertEquals(0x1p-24f, Half.toFloat(Half.fromFloat(0x1.8p-25f)));
        assertEquals(65504f, Half.toFloat(Half.fromFloat(65519f)));
        assertEquals(Float.POSITIVE_INFINITY, Half.toFloat(Half.fromFloat(65520f)));
        assertEquals(-2.5f, Half.toFloat(Half.fromFloat(-2.5f)));
        Random random = new Random(1);
        for (int n = 0; n < 100_000; n++) {
            float p = random.nextFloat();
            float back = Half.toFloat(Half.fromFloat(p));
            assertEquals(p, back, Math.max(0x1p-25f, Math.abs(p) * 0x1p-11f), "probability " + p);
        }
    }

    @Test
    void halfPrecisionCaptureMatchesFloatCaptureToItsRounding() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = new ModelInput(Fixtures.inputIds("gpt2_f32"), null, null, null);
            AttentionMaps f32 = Analyzer.analyze(model, input).attention();
            AttentionMaps f16 = Analyzer.analyze(model.withOptions(ForwardOptions.defaults().withAttentionStorage(
                    ForwardOptions.AttentionStorage.F16)), input).attention();
            assertEquals(AttentionMaps.Precision.F32, f32.precision());
            assertEquals(AttentionMaps.Precision.F16, f16.precision());
            float[] exact = f32.values();
            float[] half = f16.values();
            for (int k = 0; k < exact.length; k++) {
                assertEquals(exact[k], half[k], Math.abs(exact[k]) * 0x1p-11f + 0x1p-25f, "value " + k);
            }
            assertArrayEquals(Fixtures.reference("gpt2_f32", "attention.npy").values(), exact, 1e-5f);
        }
    }

    @Test
    void perHeadStorageAddressesShapesBeyondOneArray() {
        // 2^31 values would not fit one float[]; per-head storage does not care how many heads there are.
        long values = 22L * 32 * 2048 * 2048;
        assertTrue(values > Integer.MAX_VALUE);
        assertEquals(values * 2, AttentionMaps.bytes(22, 32, 2048, AttentionMaps.Precision.F16));
        AttentionMaps small = new AttentionMaps(2, 1, 2, new float[] {1, 0, 0.5f, 0.5f, 1, 0, 0, 1});
        assertEquals(0.5f, small.get(0, 0, 1, 0));
        assertArrayEquals(new float[] {1, 0, 0, 1}, small.head(1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> small.get(2, 0, 0, 0));
    }

    @Test
    void budgetPicksHalvesWhenFloatsDoNotFitAndRefusesWithWhatFits() {
        headwise.engine.model.ModelSpec spec;
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            spec = model.spec();
        }
        assertEquals(AttentionMaps.Precision.F32, MemoryBudget.check(spec, 8, ForwardOptions.defaults()));
        var error = assertThrows(headwise.engine.HeadwiseException.class, () -> MemoryBudget.check(spec, 2_000_000, ForwardOptions.defaults()));
        assertTrue(error.getMessage().matches(".*at most about \\d+ tokens fit.*"), error.getMessage());
    }
}
