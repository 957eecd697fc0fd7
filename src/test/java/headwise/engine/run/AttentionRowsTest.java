package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AttentionMaps#readRows} hands over exactly the rows {@link AttentionMaps#head} copies, in every precision. */
class AttentionRowsTest {

    /** Rows as read, concatenated; also checks they come in query order. */
    private static float[] rows(AttentionMaps a, int layer, int head) {
        int t = a.length();
        float[] out = new float[t * t];
        int[] next = {0};
        a.readRows(layer, head, (q, values, offset) -> {
            assertEquals(next[0]++, q, "rows in query order");
            System.arraycopy(values, offset, out, q * t, t);
        });
        assertEquals(t, next[0]);
        return out;
    }

    private static AttentionMaps random(int layers, int heads, int t, AttentionMaps.Precision precision, long seed) {
        Random random = new Random(seed);
        float[] head = new float[t * t];
        AttentionMaps a = AttentionMaps.allocate(layers, heads, t, precision);
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                for (int k = 0; k < head.length; k++) {
                    head[k] = random.nextFloat();
                }
                a.setHead(l, h, head, 0);
            }
        }
        return a;
    }

    @Test
    void storedRowsEqualTheHeadIncludingRowsSplitByAChunkEdge() {
        // 300² = 90000 values: the 2^16-value chunk edge falls inside row 218
        for (AttentionMaps.Precision p : new AttentionMaps.Precision[] {AttentionMaps.Precision.F32, AttentionMaps.Precision.F16}) {
            AttentionMaps a = random(2, 3, 300, p, 7);
            for (int l = 0; l < 2; l++) {
                for (int h = 0; h < 3; h++) {
                    assertArrayEquals(a.head(l, h), rows(a, l, h), p + " layer " + l + " head " + h);
                }
            }
        }
    }

    @Test
    void float32RowsInsideAChunkAreReadWhereTheyAreStored() {
        AttentionMaps a = random(1, 1, 256, AttentionMaps.Precision.F32, 3); // 256² = one chunk exactly
        float[][] seen = new float[2][];
        a.readRows(0, 0, (q, values, offset) -> {
            if (q < 2) {
                seen[q] = values;
                assertEquals(q * 256, offset);
            }
        });
        assertTrue(seen[0] == seen[1], "both rows handed over from the same stored chunk, not copied");
    }

    @Test
    void recomputedRowsEqualTheRecomputedHead() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            float[] stored = rows(Analyzer.analyze(model, input).attention(), 1, 2);
            AttentionMaps recomputed = Analyzer.analyze(RecomputedAttentionTest.recomputing(model), input).attention();
            assertEquals(AttentionMaps.Precision.RECOMPUTE, recomputed.precision());
            float[] read = rows(recomputed, 1, 2);
            assertArrayEquals(recomputed.head(1, 2), read);
            assertArrayEquals(stored, read, 2e-6f);
            assertEquals(1f, read[0], 1e-6f, "causal first row: all weight on token 0");
        }
    }
}
