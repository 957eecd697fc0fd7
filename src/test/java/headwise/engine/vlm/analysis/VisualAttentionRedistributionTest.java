package headwise.engine.vlm.analysis;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VisualAttentionRedistributionTest {

    /** SYSTEM, TEXT, IMAGE, IMAGE, GENERATED: a 1×2 image at positions 2, 3. */
    private static final TokenClasses FIVE = new TokenClasses(new TokenClass[] {TokenClass.SYSTEM, TokenClass.TEXT,
            TokenClass.IMAGE, TokenClass.IMAGE, TokenClass.GENERATED}, 2, 1, 2);

    /**
     * Sinks BOS and patch 2. Head 0's last row gives the image 0.4, a quarter of it to the sink: image-centric, so the
     * sinks keep 60% and the freed 0.4·(0.3 + 0.1) goes to patch 3, the one non-sink patch. Head 1's image attention is
     * mostly on the sink (0.5 of 0.6 &gt; ρ): left alone. Rows before the image's end are never touched.
     */
    @Test
    void sinksGiveTheirAttentionToTheOtherPatchesInImageCentricHeads() {
        float[] rows = new float[2 * 5 * 5];
        float[] lastRow0 = {0.3f, 0.1f, 0.1f, 0.3f, 0.2f};
        float[] lastRow1 = {0.2f, 0.1f, 0.5f, 0.1f, 0.1f};
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j <= i; j++) {
                    rows[(h * 5 + i) * 5 + j] = 1f / (i + 1);
                }
            }
            System.arraycopy(h == 0 ? lastRow0 : lastRow1, 0, rows, (h * 5 + 4) * 5, 5);
        }
        INDArray pattern = Ops.fromFloats(rows, 1, 2, 5, 5);
        int[] counts = new int[2];
        INDArray out = VisualAttentionRedistribution.redistribution(new int[] {0, 2}, FIVE,
                VisualAttentionRedistribution.Options.defaults(), counts).apply(pattern);
        float[] a = Ops.floats(out);
        assertArrayEquals(new float[] {0.18f, 0.1f, 0.06f, 0.46f, 0.2f}, Arrays.copyOfRange(a, 20, 25), 1e-6f);
        assertArrayEquals(lastRow1, Arrays.copyOfRange(a, 45, 50), 0f, "head 1 is not image-centric");
        assertArrayEquals(Arrays.copyOfRange(rows, 0, 20), Arrays.copyOfRange(a, 0, 20), 0f, "rows before the image's end");
        assertArrayEquals(new int[] {1, 0}, counts);
        assertArrayEquals(rows, Ops.floats(pattern), 0f, "the argument is not modified");

        INDArray noVisualSink = VisualAttentionRedistribution.redistribution(new int[] {0}, FIVE,
                VisualAttentionRedistribution.Options.defaults(), new int[2]).apply(pattern);
        assertSame(pattern, noVisualSink, "a layer without a visual sink is left alone");
    }

    /**
     * The tower's CLS kept by 'full' is an image token off the grid (position 1, grid 1×2 at 2, 3): as a sink it gives
     * its attention to the grid's patches, and as a non-sink it receives a share like any patch.
     */
    @Test
    void anImageTokenOffTheGridIsPartOfTheImage() {
        TokenClasses withCls = new TokenClasses(new TokenClass[] {TokenClass.SYSTEM, TokenClass.IMAGE, TokenClass.IMAGE,
                TokenClass.IMAGE, TokenClass.TEXT}, 2, 1, 2);
        float[] rows = new float[5 * 5];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j <= i; j++) {
                rows[i * 5 + j] = 1f / (i + 1);
            }
        }
        float[] last = {0.2f, 0.1f, 0.25f, 0.25f, 0.2f};
        System.arraycopy(last, 0, rows, 20, 5);
        INDArray pattern = Ops.fromFloats(rows, 1, 1, 5, 5);
        // the CLS a sink: image 0.6, sinks 0.1 of it; CLS keeps 0.06, BOS is no sink: 0.04 goes to the two patches
        float[] a = Ops.floats(VisualAttentionRedistribution.redistribution(new int[] {1}, withCls,
                VisualAttentionRedistribution.Options.defaults(), new int[1]).apply(pattern));
        assertArrayEquals(new float[] {0.2f, 0.06f, 0.27f, 0.27f, 0.2f}, Arrays.copyOfRange(a, 20, 25), 1e-6f);
        // BOS and patch 2 sinks: the CLS receives with patch 3, 0.1 : 0.25 of the freed 0.4·(0.2 + 0.25)
        float[] b = Ops.floats(VisualAttentionRedistribution.redistribution(new int[] {0, 2}, withCls,
                VisualAttentionRedistribution.Options.defaults(), new int[1]).apply(pattern));
        assertArrayEquals(new float[] {0.12f, 0.1f + 0.18f / 3.5f, 0.15f, 0.25f + 0.18f * 0.25f / 0.35f, 0.2f}, Arrays.copyOfRange(b, 20, 25), 1e-6f);
        assertEquals(1.0, sum(Arrays.copyOfRange(b, 20, 25)), 1e-6);
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    /** On the tiny Llama with a massive image token: VAR moves attention and the output; p = 1 moves nothing. */
    @Test
    void theInterventionShiftsTheOutputOnlyWhenItMovesAttention() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llama_f32").toString())) {
            JoinedSequence s = VisualSinksTest.sequence(model.transformer());
            VisualSinks sinks = VisualSinks.find(s, VisualSinks.Options.defaults().withTau(5));
            var options = VisualAttentionRedistribution.Options.defaults().withFromLayer(0).withSkipLastLayer(false);
            var moved = VisualAttentionRedistribution.apply(s, sinks, options, -1, null);
            int redirected = Arrays.stream(moved.redirected()).flatMapToInt(Arrays::stream).sum();
            assertTrue(redirected > 0, "image-centric rows");
            assertTrue(moved.shift().kl() > 1e-9, "KL " + moved.shift().kl());
            assertEquals(moved.clean().target(), moved.shifted().target());

            var kept = VisualAttentionRedistribution.apply(s,
                    sinks, new VisualAttentionRedistribution.Options(1, 0.5, 0.2, 0, false), -1, null);
            assertEquals(0, kept.shift().kl(), 1e-9);
            assertEquals(kept.clean().logit(), kept.shifted().logit(), 1e-5);
        }
    }
}
