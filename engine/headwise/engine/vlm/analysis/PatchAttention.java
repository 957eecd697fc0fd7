package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;

/**
 * One query's attention to the image patches (the grid; an image token off it, the tower's CLS, is not drawn), laid out on the patch grid (for the overlay on the image):
 * {@code grid[r][c] = A_{i, imageStart + r·cols + c}} for one head, or the mean over heads.
 */
public final class PatchAttention {

    /** Pass as the head to average over all heads. */
    public static final int MEAN_OF_HEADS = -1;

    private PatchAttention() {
    }

    /** [gridRows][gridCols]; attention the query cannot give (a causal query before the image) is 0. */
    public static double[][] grid(AttentionMaps maps, TokenClasses classes, int layer, int head, int query) {
        if (classes.imageCount() == 0) {
            throw new HeadwiseException("the sequence holds no image");
        }
        if (layer < 0 || layer >= maps.layers() || head < MEAN_OF_HEADS || head >= maps.heads() || query < 0 || query >= maps.length()) {
            throw new HeadwiseException("layer " + layer + ", head " + head + ", query " + query + " is outside the attention "
                    + maps.layers() + " x " + maps.heads() + " x " + maps.length());
        }
        double[][] out = new double[classes.gridRows()][classes.gridCols()];
        int from = head == MEAN_OF_HEADS ? 0 : head;
        int to = head == MEAN_OF_HEADS ? maps.heads() : head + 1;
        for (int h = from; h < to; h++) {
            for (int n = 0; n < classes.gridCount(); n++) {
                out[n / classes.gridCols()][n % classes.gridCols()] += maps.get(layer, h, query, classes.imageStart() + n) / (double) (to - from);
            }
        }
        return out;
    }
}
