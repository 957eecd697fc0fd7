package headwise.engine.analysis.relevance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Salient Relevance map (docs/relevance.md) on constructed grids whose values are worked out by hand. */
class SalientRelevanceTest {

    /**
     * A 1×3 grid [0, 1, 0], single-patch features: d(0,1) = d(1,2) = (1/2) / (1 + 3·1/3) = 0.25, d(0,2) = 0; K = 2,
     * so S = 1 − e^(−0.125), 1 − e^(−0.25), 1 − e^(−0.125); the middle is the one focus; the outer patches are 1 of
     * the diagonal's 2 away from it, so they keep half of their normalised saliency.
     */
    @Test
    void aOneByThreeGridByHand() {
        double[] got = SalientRelevance.map(new double[] {0, 2.5, 0}, 1, 3, new int[] {0});
        double outer = (1 - Math.exp(-0.125)) / (1 - Math.exp(-0.25)) * 0.5;
        assertArrayEquals(new double[] {outer, 1, outer}, got, 1e-12);
    }

    @Test
    void aBlobLightsUpItsRegionNotTheFarBackground() {
        int side = 8;
        double[] grid = new double[side * side];
        for (int r = 2; r <= 3; r++) {
            for (int c = 2; c <= 3; c++) {
                grid[r * side + c] = 1;
            }
        }
        double[] tokens = new double[1 + grid.length];
        tokens[0] = 7; // CLS: not a patch, ignored
        System.arraycopy(grid, 0, tokens, 1, grid.length);
        double[] sr = SalientRelevance.of(tokens, 1, side, side);
        double weakestInBlob = 1;
        double strongestOutside = 0;
        for (int i = 0; i < sr.length; i++) {
            assertTrue(sr[i] >= 0 && sr[i] <= 1 + 1e-12, "in [0, 1]");
            if (grid[i] == 1) {
                weakestInBlob = Math.min(weakestInBlob, sr[i]);
            } else {
                strongestOutside = Math.max(strongestOutside, sr[i]);
            }
            int r = i / side;
            int c = i % side;
            assertEquals(sr[i], sr[c * side + r], 1e-12, "the grid is symmetric about its diagonal, so is the map");
        }
        assertEquals(1, sr[3 * side + 3], 1e-12, "the blob's patch nearest the grid's centre is the largest");
        assertTrue(weakestInBlob > 2 * strongestOutside, weakestInBlob + " vs " + strongestOutside);
        assertTrue(sr[side * side - 1] < sr[4 * side + 4] / 4, "the far corner is much less salient than the blob's neighbour");
    }

    @Test
    void signAndScaleDoNotMatterAndAUniformMapIsNotSalient() {
        double[] a = {0, 0.3, -1, 0.2, 0, 0, 0.5, 0, 0.1};
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = -4 * a[i];
        }
        assertArrayEquals(SalientRelevance.map(a, 3, 3, SalientRelevance.RADII), SalientRelevance.map(b, 3, 3, SalientRelevance.RADII), 1e-12);
        assertArrayEquals(new double[9], SalientRelevance.map(new double[] {2, 2, 2, 2, 2, 2, 2, 2, 2}, 3, 3, SalientRelevance.RADII));
        assertArrayEquals(new double[4], SalientRelevance.map(new double[4], 2, 2, SalientRelevance.RADII));
    }

    @Test
    void aMapThatIsNotTheGridIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SalientRelevance.of(new double[5], 1, 2, 3));
    }
}
