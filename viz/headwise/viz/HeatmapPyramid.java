package headwise.viz;

import headwise.viz.draw.ValueScale;

/**
 * A level-of-detail pyramid of one T×T attention matrix, for an interactive heatmap that pans and zooms at any
 * length: level 0 is the matrix itself, level k holds the largest weight of each 2^k×2^k block. {@link #render}
 * draws only the visible region, one lookup per screen pixel, from the coarsest level whose blocks are still no
 * larger than a pixel's footprint would miss, so a frame costs the same at 16 tokens and at 4096. Blocks show
 * their maximum, not their mean: a sharp diagonal or a single sink column stays visible when zoomed out.
 */
public final class HeatmapPyramid {

    private final int length;
    private final float[][] levels;
    private final int[] sides;
    private final float max;
    private final float smallestPositive;

    /** @param matrix row-major T×T (rows = queries); kept, not copied: do not change it afterwards */
    public HeatmapPyramid(float[] matrix, int length) {
        if (length < 1 || matrix.length < (long) length * length) {
            throw new IllegalArgumentException("a " + length + "x" + length + " matrix needs " + (long) length * length + " values");
        }
        this.length = length;
        int count = 1;
        while ((length - 1 >> (count - 1)) > 0) {
            count++; // levels until one block covers the whole matrix
        }
        levels = new float[count][];
        sides = new int[count];
        levels[0] = matrix;
        sides[0] = length;
        float top = 0;
        float smallest = Float.MAX_VALUE;
        for (int i = 0; i < length * length; i++) {
            float v = matrix[i];
            if (v > top && Float.isFinite(v)) {
                top = v;
            }
            if (v > 0 && v < smallest) {
                smallest = v;
            }
        }
        max = top;
        smallestPositive = smallest == Float.MAX_VALUE ? 0 : smallest;
        for (int k = 1; k < count; k++) {
            sides[k] = (sides[k - 1] + 1) / 2;
            levels[k] = halve(levels[k - 1], sides[k - 1], sides[k]);
        }
    }

    /** Each cell of the next level: the largest finite value of the 2×2 block below it. */
    private static float[] halve(float[] below, int side, int half) {
        float[] out = new float[half * half];
        for (int r = 0; r < half; r++) {
            int r0 = 2 * r;
            int r1 = Math.min(side - 1, r0 + 1);
            for (int c = 0; c < half; c++) {
                int c0 = 2 * c;
                int c1 = Math.min(side - 1, c0 + 1);
                out[r * half + c] = maxOf(maxOf(below[r0 * side + c0], below[r0 * side + c1]),
                        maxOf(below[r1 * side + c0], below[r1 * side + c1]));
            }
        }
        return out;
    }

    private static float maxOf(float a, float b) {
        return Float.isNaN(a) ? b : Float.isNaN(b) ? a : Math.max(a, b);
    }

    public int length() {
        return length;
    }

    /** Number of levels (1 for a single token). */
    public int levels() {
        return levels.length;
    }

    /** The largest finite weight. */
    public float max() {
        return max;
    }

    /** The smallest weight above 0 (0 when there is none), where a log scale starts. */
    public float smallestPositive() {
        return smallestPositive;
    }

    /** Weight of (query, key). */
    public float value(int query, int key) {
        return levels[0][query * length + key];
    }

    /** The level {@link #render} reads at {@code cellPixels} screen pixels per cell. */
    public int levelFor(double cellPixels) {
        if (cellPixels >= 1) {
            return 0;
        }
        int k = (int) Math.ceil(Math.log(1 / cellPixels) / Math.log(2) - 1e-9);
        return Math.min(levels.length - 1, Math.max(0, k));
    }

    /**
     * Draws a viewport: pixel (px, py) shows key {@code x0 + px / cellPixels}, query {@code y0 + py / cellPixels}
     * (in cells, from the top-left corner); pixels beyond the matrix get {@code background}.
     *
     * @param out ARGB, {@code width × height}, row-major
     */
    public void render(int[] out, int width, int height, double x0, double y0, double cellPixels, ValueScale scale, int background) {
        if (out.length < width * height || cellPixels <= 0) {
            throw new IllegalArgumentException("bad viewport " + width + "x" + height + " at " + cellPixels + " pixels per cell");
        }
        int level = levelFor(cellPixels);
        float[] cells = levels[level];
        int side = sides[level];
        int[] column = new int[width]; // key at this level for each pixel column, −1 outside
        for (int px = 0; px < width; px++) {
            double key = x0 + (px + 0.5) / cellPixels;
            column[px] = key < 0 || key >= length ? -1 : ((int) key) >> level;
        }
        int[] rowColours = new int[width];
        int previousRow = Integer.MIN_VALUE;
        for (int py = 0; py < height; py++) {
            double query = y0 + (py + 0.5) / cellPixels;
            int row = query < 0 || query >= length ? -1 : ((int) query) >> level;
            if (row != previousRow) {
                fillRow(rowColours, column, row, cells, side, scale, background);
                previousRow = row;
            }
            System.arraycopy(rowColours, 0, out, py * width, width);
        }
    }

    /** One screen row's colours: one colour computation per distinct cell, reused across the pixels it covers. */
    private static void fillRow(int[] colours, int[] column, int row, float[] cells, int side, ValueScale scale, int background) {
        int previousColumn = Integer.MIN_VALUE;
        int colour = background;
        for (int px = 0; px < colours.length; px++) {
            int c = column[px];
            if (row < 0 || c < 0) {
                colours[px] = background;
                continue;
            }
            if (c != previousColumn) {
                colour = scale.argb(cells[row * side + c]);
                previousColumn = c;
            }
            colours[px] = colour;
        }
    }
}
