package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageTokenPruningTest {

    /** 2×4 image, grid index 5 marked: the marker head reads it and only it reaches the logits. */
    private static JoinedSequence marked() {
        return ImageReaderModel.sequence(1, 2, 4, 5, 2, 0);
    }

    @Test
    void flowCutRanksTheReadPatchFirst() {
        JoinedSequence s = marked();
        ImageTokenFlow flow = ImageTokenFlow.compute(s, null);
        assertEquals(s.length() - 1, flow.query(), "the last prompt position");
        int best = ImageTokenPruning.ascending(flow.cumulative())[7];
        assertEquals(5, best, "cumulative " + Arrays.toString(flow.cumulative()));
        assertEquals(1 / 3.0, flow.attention()[0][5], 1e-6, "layer-0 attention of the last prompt token: the marker head's");
        // relation: the BOS and self heads spread their (tiny) image attention evenly, the marker head puts it all on
        // patch 5, so r = (1/8 + 1/8 + 0)/3 for an unread patch and (1/8 + 1/8 + 1)/3 for patch 5; semantic: v_q·v_j = 0,
        // so s = 1/8; value L1: sqrt(24) for a patch (one flag), 4·2 for the marked one (two flags at RMS scale 4)
        for (int j = 0; j < 8; j++) {
            double expected = j == 5 ? (5 / 12.0 + 1 / 8.0) * 8 : (1 / 12.0 + 1 / 8.0) * Math.sqrt(24);
            assertEquals(expected, flow.scores()[0][j], 1e-5, "patch " + j);
            assertEquals(0.5 * expected, flow.cumulative()[j], 1e-5, "one layer: C = 0.5·score");
        }
    }

    /**
     * Pruning the unread patches first leaves the prediction (token 2, the marker) as it was until the marked patch
     * goes at fraction 0; pruning it first changes the prediction at once.
     */
    @Test
    void pruningUnreadPatchesIsFlatAndPruningTheReadOneIsNot() {
        JoinedSequence s = marked();
        ImageTokenFlow flow = ImageTokenFlow.compute(s, null);
        double[] reversed = Arrays.stream(flow.cumulative()).map(x -> -x).toArray();
        double[] fractions = {1, 0.75, 0.5, 0.25, 0.125, 0};
        ImageTokenPruning p = ImageTokenPruning.compute(s, flow.cumulative(), reversed, fractions, -1);
        assertEquals(ImageReaderModel.MARK, p.clean().top());
        assertEquals(ImageReaderModel.MARK, p.clean().target());
        assertEquals(8, p.kept()[0]);
        assertEquals(1, p.kept()[4]);
        for (int f = 0; f < 5; f++) {
            assertEquals(p.clean().logit(), p.byFlow()[f].logit(), 1e-4, "kept " + p.kept()[f]);
            assertEquals(ImageReaderModel.MARK, p.byFlow()[f].top());
        }
        assertNotEquals(ImageReaderModel.MARK, p.byFlow()[5].top(), "nothing left to read");
        assertEquals(p.clean().logit(), p.byAttention()[0].logit(), 1e-4, "all kept");
        for (int f = 1; f < 6; f++) {
            assertTrue(p.byAttention()[f].logit() < p.clean().logit() - 1, "the read patch was pruned first: " + p.byAttention()[f]);
            assertNotEquals(ImageReaderModel.MARK, p.byAttention()[f].top());
        }
    }

    @Test
    void theTowersClsRowScoresThePatchesWithoutCls() {
        assertArrayEquals(new double[] {0.2, 0.3}, ImageTokenFlow.clsRelay(new double[] {0.5, 0.2, 0.3}, 2), 0);
        assertArrayEquals(new double[] {0.5, 0.2, 0.3}, ImageTokenFlow.clsRelay(new double[] {0.5, 0.2, 0.3}, 3), 0);
        assertThrows(HeadwiseException.class, () -> ImageTokenFlow.clsRelay(new double[] {0.5, 0.2, 0.3}, 5));
    }

    @Test
    void badInputsAreOneLineErrors() {
        JoinedSequence s = marked();
        double[] eight = new double[8];
        assertThrows(HeadwiseException.class, () -> ImageTokenPruning.compute(s, new double[7], eight, new double[] {1}, -1));
        assertThrows(HeadwiseException.class, () -> ImageTokenPruning.compute(s, eight, eight, new double[] {1.5}, -1));
        assertThrows(HeadwiseException.class, () -> ImageTokenFlow.compute(s, 3), "a query inside the image");
    }
}
