package headwise.engine.analysis;

import headwise.engine.image.PatchGrid;
import headwise.engine.run.AttentionMaps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pixel distance and spatial profile on a 2×2 grid of 16-pixel patches after CLS (T = 5). */
class VitSpatialTest {

    private static final PatchGrid GRID = new PatchGrid(2, 2, 16, 1);

    /** Every patch puts ½ on CLS and ½ on patch (1,1) (token 4); CLS attends to itself. */
    private static AttentionMaps halfOnCorner() {
        float[] v = new float[25];
        v[0] = 1;
        for (int i = 1; i < 5; i++) {
            v[i * 5] = 0.5f;
            v[i * 5 + 4] += 0.5f;
        }
        return new AttentionMaps(1, 1, 5, v);
    }

    @Test
    void meanDistanceInPixelsExcludesCls() {
        // query (0,0): ½·16·√2, (0,1): ½·16, (1,0): ½·16, (1,1): 0
        double expected = (8 * Math.sqrt(2) + 8 + 8 + 0) / 4;
        assertEquals(expected, VitSpatial.meanDistancePixels(halfOnCorner(), GRID, false)[0][0], 1e-9);
        assertEquals(2 * expected, VitSpatial.meanDistancePixels(halfOnCorner(), GRID, true)[0][0], 1e-9,
                "renormalised over patches: the CLS half is removed");
    }

    @Test
    void distillationTokenIsExcludedToo() {
        // CLS, DIST, then a 1×2 grid: patch 0 attends fully to patch 1 (16 px), patch 1 to DIST (excluded)
        float[] v = new float[16];
        v[0] = 1;
        v[5] = 1;
        v[2 * 4 + 3] = 1;
        v[3 * 4 + 1] = 1;
        double[][] d = VitSpatial.meanDistancePixels(new AttentionMaps(1, 1, 4, v), new PatchGrid(1, 2, 16, 2), false);
        assertEquals(8, d[0][0], 1e-9);
    }

    @Test
    void spatialProfileBinsByRoundedGridDistance() {
        VitSpatial.SpatialProfile p = VitSpatial.spatialProfile(halfOnCorner(), GRID);
        // distances: 0 (4 pairs), 1 (8 pairs), √2 → bin 1 (4 pairs)
        assertArrayEquals(new int[] {0, 1}, p.distance());
        assertArrayEquals(new long[] {4, 12}, p.pairs());
        // bin 0: only (1,1)→(1,1) = ½; bin 1: (0,1)→(1,1), (1,0)→(1,1), (0,0)→(1,1) = ½ each
        assertArrayEquals(new double[] {0.5 / 4, 1.5 / 12}, p.mean()[0][0], 1e-9);
    }

    @Test
    void profileOnA3x3GridHasADistanceTwoBin() {
        PatchGrid grid = new PatchGrid(3, 3, 8, 1);
        float[] v = new float[10 * 10];
        for (int i = 0; i < 10; i++) {
            v[i * 10 + 1] = 1; // everyone attends to patch (0,0)
        }
        VitSpatial.SpatialProfile p = VitSpatial.spatialProfile(new AttentionMaps(1, 1, 10, v), grid);
        // bins: 0 {0}, 1 {1, √2}, 2 {2, √5}, 3 {√8 = 2.83}
        assertArrayEquals(new int[] {0, 1, 2, 3}, p.distance());
        assertArrayEquals(new long[] {9, 24 + 16, 12 + 16, 4}, p.pairs());
        // queries at distance d from (0,0): 0 → 1 query, 1 → (0,1),(1,0),(1,1)=3, 2 → (0,2),(2,0),(1,2),(2,1)=4, 3 → (2,2)
        assertArrayEquals(new double[] {1.0 / 9, 3.0 / 40, 4.0 / 28, 1.0 / 4}, p.mean()[0][0], 1e-9);
        // pixel distance: mean over the 9 patches of 8·||g − (0,0)||
        double sum = 0;
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                sum += 8 * Math.sqrt(r * r + c * c);
            }
        }
        assertEquals(sum / 9, VitSpatial.meanDistancePixels(new AttentionMaps(1, 1, 10, v), grid, false)[0][0], 1e-6);
    }
}
