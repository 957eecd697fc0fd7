package headwise.engine.analysis;

import headwise.engine.image.PatchGrid;
import headwise.engine.run.AttentionMaps;

/**
 * Spatial attention statistics of vision transformers over the patch grid (METHODS.md, Local/positional). Special
 * tokens (CLS, DeiT's distillation token) are excluded as queries and as keys; patch (row, col) has grid coordinate
 * g = (row, col), token {@code grid.token(row, col)}.
 */
public final class VitSpatial {

    private VitSpatial() {
    }

    /**
     * Binned spatial profile.
     *
     * @param distance bin b holds the (query patch, key patch) pairs whose grid distance ||g_i − g_j|| rounds to b
     *                 (nearest integer: b − ½ ≤ d &lt; b + ½); {@code distance[b]} is b in patches
     * @param pairs    number of pairs in each bin
     * @param mean     [layer][head][bin] mean attention A_ij over the pairs of the bin (0 for an empty bin)
     */
    public record SpatialProfile(int[] distance, long[] pairs, double[][][] mean) {
    }

    /**
     * Dosovitskiy et al.'s mean attention distance in pixels, [layer][head]: mean over query patches of
     * Σ_{key patches j} A_ij · P · ||g_i − g_j||.
     *
     * @param renormalise divide each query row by its mass on patches (the mass on special tokens removed) first;
     *                    false (the default, as in the ViT paper's code) uses the attention as it is
     */
    public static double[][] meanDistancePixels(AttentionMaps a, PatchGrid grid, boolean renormalise) {
        check(a, grid);
        int t = a.length();
        int s = grid.specialTokens();
        int patches = grid.patches();
        double[] dist = distances(grid); // [patches·patches] in patches
        return AttentionStatistics.perHead(a, (v, base, length) -> {
            double total = 0;
            for (int p = 0; p < patches; p++) {
                int row = base + (s + p) * t + s;
                double sum = 0;
                double mass = 0;
                for (int q = 0; q < patches; q++) {
                    double w = v[row + q];
                    sum += w * dist[p * patches + q];
                    mass += w;
                }
                if (renormalise) {
                    sum = mass == 0 ? 0 : sum / mass;
                }
                total += sum * grid.patchSize();
            }
            return total / patches;
        });
    }

    /** Mean attention binned by grid distance between query and key patch, per head. */
    public static SpatialProfile spatialProfile(AttentionMaps a, PatchGrid grid) {
        check(a, grid);
        int t = a.length();
        int s = grid.specialTokens();
        int patches = grid.patches();
        double[] dist = distances(grid);
        int[] bin = new int[dist.length];
        int bins = 0;
        for (int k = 0; k < dist.length; k++) {
            bin[k] = (int) Math.floor(dist[k] + 0.5);
            bins = Math.max(bins, bin[k] + 1);
        }
        long[] pairs = new long[bins];
        for (int b : bin) {
            pairs[b]++;
        }
        int[] distance = new int[bins];
        for (int b = 0; b < bins; b++) {
            distance[b] = b;
        }
        double[][][] mean = new double[a.layers()][a.heads()][bins];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                float[] v = a.head(l, h); // copy: the maps may be stored as halves
                int base = 0;
                double[] m = mean[l][h];
                for (int p = 0; p < patches; p++) {
                    int row = base + (s + p) * t + s;
                    for (int q = 0; q < patches; q++) {
                        m[bin[p * patches + q]] += v[row + q];
                    }
                }
                for (int b = 0; b < bins; b++) {
                    m[b] = pairs[b] == 0 ? 0 : m[b] / pairs[b];
                }
            }
        }
        return new SpatialProfile(distance, pairs, mean);
    }

    /** ||g_p − g_q|| in patches for every pair of patches, [patches·patches]. */
    static double[] distances(PatchGrid grid) {
        int patches = grid.patches();
        int cols = grid.cols();
        double[] out = new double[patches * patches];
        for (int p = 0; p < patches; p++) {
            for (int q = 0; q < patches; q++) {
                int dr = p / cols - q / cols;
                int dc = p % cols - q % cols;
                out[p * patches + q] = Math.sqrt(dr * dr + dc * dc);
            }
        }
        return out;
    }

    private static void check(AttentionMaps a, PatchGrid grid) {
        if (a.length() != grid.tokens()) {
            throw new IllegalArgumentException("attention over " + a.length() + " tokens does not match a " + grid.rows() + "x"
                    + grid.cols() + " patch grid with " + grid.specialTokens() + " special tokens (" + grid.tokens() + " tokens)");
        }
    }
}
