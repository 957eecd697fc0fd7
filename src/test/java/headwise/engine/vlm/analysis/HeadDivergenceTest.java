package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadDivergenceTest {

    /**
     * The BOS head and the self head read the same token with and without the image (the self head only when answer
     * position i is compared with i − N of the text-only run): VHD 0. The marker head reads the marked patch, then
     * spreads over the text: VHD &gt; 0, and it tops the ranking.
     */
    @Test
    void onlyTheHeadThatReadsTheImageDiverges() {
        JoinedSequence s = ImageReaderModel.sequence(2, 3, 4, 5, 2, 3);
        HeadDivergence vhd = HeadDivergence.compute(s, null, 1);
        assertArrayEquals(new int[] {17, 18, 19}, vhd.answers(), "the generated positions");
        assertEquals(0.0, vhd.map()[0][0], 1e-4, "BOS head");
        assertEquals(0.0, vhd.map()[0][2], 1e-4, "self head");
        assertTrue(vhd.map()[0][1] > 3, "marker head " + vhd.map()[0][1]);
        assertEquals(1, vhd.ranked().get(0).head());
        for (int a = 0; a < 3; a++) {
            assertEquals(vhd.perAnswer()[a][0][1], vhd.tokenVhd()[a], 1e-12, "T-VHD with k = 1 is the top head");
        }
    }

    @Test
    void answersBeforeTheImageEndAreRefused() {
        JoinedSequence s = ImageReaderModel.sequence(2, 2, 2, 0, 1, 1);
        assertThrows(HeadwiseException.class, () -> HeadDivergence.compute(s, new int[] {2}, 1));
        assertThrows(HeadwiseException.class, () -> HeadDivergence.compute(s, null, 0));
    }
}
