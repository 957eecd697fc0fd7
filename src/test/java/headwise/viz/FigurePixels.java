package headwise.viz;

import headwise.viz.draw.ValueScale;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Reads a drawn figure back: where a matrix of known colours appears (cell by cell, so a transposed, mirrored or
 * shifted matrix, or one on another colour scale, is not found), how wide the ink of a label is on its row, where
 * the legend's colour bar is. Knows nothing of a figure's layout: everything is found in the pixels.
 */
public final class FigurePixels {

    /** Pixels darker than this (luminance 0–255) are the ink of text. */
    private static final double INK = 150;
    /** Ink runs further apart than this belong to different texts. */
    private static final int INK_GAP = 6;

    private FigurePixels() {
    }

    /** Where a grid of cells lies: its top-left pixel and the size of one cell. */
    public record Placement(int x, int y, int cellWidth, int cellHeight) {

        /** Cell (row, col) in image pixels. */
        public Rectangle2D cell(int row, int col) {
            return new Rectangle2D.Double(x + col * cellWidth, y + row * cellHeight, cellWidth, cellHeight);
        }

        public int centreX(int col) {
            return x + col * cellWidth + cellWidth / 2;
        }

        public int centreY(int row) {
            return y + row * cellHeight + cellHeight / 2;
        }
    }

    /** The figure drawn at scale 1, as PNG export and the window draw it. */
    public static BufferedImage render(Figure figure) {
        BufferedImage image = new BufferedImage(figure.width(), figure.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            figure.draw(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Writes target/screenshots/pixels-NAME.png, to look at. */
    public static void save(BufferedImage image, String name) throws IOException {
        Path folder = Files.createDirectories(FigureChecks.SCREENSHOTS);
        ImageIO.write(image, "png", folder.resolve("pixels-" + name + ".png").toFile());
    }

    /**
     * The colour of each value on a scale, [row][col], worked out here from the scale's kind and range only (not
     * through {@link ValueScale#argb}), so a mistake in the figures' value-to-colour mapping shows.
     */
    public static int[][] colours(double[][] values, ValueScale scale) {
        int[][] argb = new int[values.length][values[0].length];
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[0].length; c++) {
                argb[r][c] = colour(values[r][c], scale);
            }
        }
        return argb;
    }

    private static int colour(double v, ValueScale scale) {
        double lo = scale.min();
        double hi = scale.max();
        double f = switch (scale.kind()) {
            case LOG -> v <= lo ? 0 : (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
            case LINEAR, DIVERGING -> hi > lo ? (v - lo) / (hi - lo) : 0;
        };
        f = Math.max(0, Math.min(1, f));
        return scale.kind() == ValueScale.Kind.DIVERGING ? DivergingColorScale.argb(f) : ColorScale.argb(f);
    }

    /** The matrix transposed, [col][row]. */
    public static double[][] transposed(double[][] values) {
        double[][] t = new double[values[0].length][values.length];
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[0].length; c++) {
                t[c][r] = values[r][c];
            }
        }
        return t;
    }

    /** The matrix mirrored left to right. */
    public static double[][] mirrored(double[][] values) {
        double[][] m = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            m[r] = new double[values[r].length];
            for (int c = 0; c < values[r].length; c++) {
                m[r][c] = values[r][values[r].length - 1 - c];
            }
        }
        return m;
    }

    /** Row-major floats of a [row][col] matrix, as AttentionMaps and the heatmaps take them. */
    public static float[] rowMajor(double[][] values) {
        int cols = values[0].length;
        float[] out = new float[values.length * cols];
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = (float) values[r][c];
            }
        }
        return out;
    }

    /**
     * Every place where the image shows {@code expected} as a grid of equal, whole-pixel cells: the top-left cell
     * is a solid block of its colour, and every cell has its colour near each of its four corners ({@code inset}
     * pixels in, so that text written in a cell or a grid line on its edge does not matter). One placement per
     * top-left corner: the first cell size that fits.
     */
    public static List<Placement> find(BufferedImage image, int[][] expected, int inset) {
        requireDistinctNeighbours(expected);
        int first = expected[0][0];
        List<Placement> found = new ArrayList<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (image.getRGB(x, y) != first || x > 0 && image.getRGB(x - 1, y) == first || y > 0 && image.getRGB(x, y - 1) == first) {
                    continue;
                }
                // an anti-aliased grid line between cells takes up to two columns (rows) of the first cell's run
                int w = run(image, x, y, 1, 0, first);
                int h = run(image, x, y, 0, 1, first);
                for (int dw = 0; dw <= 2 && w > 2 * inset; dw++) {
                    for (int dh = 0; dh <= 2 && h > 2 * inset; dh++) {
                        Placement p = new Placement(x, y, w + dw, h + dh);
                        if (matches(image, expected, p, inset) && found.stream().noneMatch(q -> q.x() == p.x() && q.y() == p.y())) {
                            found.add(p);
                        }
                    }
                }
            }
        }
        return found;
    }

    /** The one place where the image shows {@code expected}; fails when it is nowhere or in several places. */
    public static Placement findOne(BufferedImage image, int[][] expected, int inset, String what) {
        List<Placement> found = find(image, expected, inset);
        assertEquals(1, found.size(), what + ": the cells with these colours, in this order, appear " + found.size() + " times " + found);
        return found.get(0);
    }

    private static boolean matches(BufferedImage image, int[][] expected, Placement p, int inset) {
        int rows = expected.length;
        int cols = expected[0].length;
        if (p.x() + cols * p.cellWidth() > image.getWidth() || p.y() + rows * p.cellHeight() > image.getHeight()) {
            return false;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int left = p.x() + c * p.cellWidth() + inset;
                int right = p.x() + (c + 1) * p.cellWidth() - 1 - inset;
                int top = p.y() + r * p.cellHeight() + inset;
                int bottom = p.y() + (r + 1) * p.cellHeight() - 1 - inset;
                for (int[] xy : new int[][] {{left, top}, {right, top}, {left, bottom}, {right, bottom}}) {
                    if (image.getRGB(xy[0], xy[1]) != expected[r][c]) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Neighbouring cells must differ, or a cell's size could not be read from its colour and a shift would pass. */
    private static void requireDistinctNeighbours(int[][] expected) {
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < expected[0].length; c++) {
                if (c + 1 < expected[0].length) {
                    assertNotEquals(expected[r][c], expected[r][c + 1], "test data: cells " + r + "," + c + " and its right neighbour share a colour");
                }
                if (r + 1 < expected.length) {
                    assertNotEquals(expected[r][c], expected[r + 1][c], "test data: cells " + r + "," + c + " and the one below share a colour");
                }
            }
        }
    }

    private static int run(BufferedImage image, int x, int y, int dx, int dy, int colour) {
        int n = 0;
        while (x + n * dx < image.getWidth() && y + n * dy < image.getHeight() && image.getRGB(x + n * dx, y + n * dy) == colour) {
            n++;
        }
        return n;
    }

    public static double luminance(int argb) {
        return 0.2126 * (argb >> 16 & 0xFF) + 0.7152 * (argb >> 8 & 0xFF) + 0.0722 * (argb & 0xFF);
    }

    private static boolean ink(BufferedImage image, int x, int y) {
        return luminance(image.getRGB(x, y)) < INK;
    }

    /**
     * Width of the text that ends at {@code right} (exclusive), within rows [top, bottom): from the first ink left of
     * {@code right} to the last ink before a gap of {@value #INK_GAP} pixels. 0 when there is no ink.
     */
    public static int inkWidthLeftOf(BufferedImage image, int right, int top, int bottom) {
        int rightmost = -1;
        int leftmost = -1;
        for (int x = right - 1; x >= 0; x--) {
            if (inkInColumn(image, x, top, bottom)) {
                rightmost = rightmost < 0 ? x : rightmost;
                leftmost = x;
            } else if (leftmost >= 0 && leftmost - x > INK_GAP) {
                break;
            }
        }
        return leftmost < 0 ? 0 : rightmost - leftmost + 1;
    }

    /** Height of the text that ends at {@code bottom} (exclusive) within columns [left, right), read upwards, as above. */
    public static int inkHeightAbove(BufferedImage image, int bottom, int left, int right) {
        return inkExtentVertical(image, bottom - 1, -1, left, right);
    }

    /** Height of the text that starts at {@code top} within columns [left, right), read downwards, as above. */
    public static int inkHeightBelow(BufferedImage image, int top, int left, int right) {
        return inkExtentVertical(image, top, 1, left, right);
    }

    private static int inkExtentVertical(BufferedImage image, int from, int step, int left, int right) {
        int firstInk = -1;
        int lastInk = -1;
        for (int y = from; y >= 0 && y < image.getHeight(); y += step) {
            boolean any = false;
            for (int x = Math.max(0, left); x < Math.min(image.getWidth(), right); x++) {
                any |= ink(image, x, y);
            }
            if (any) {
                if (firstInk < 0) {
                    firstInk = y;
                }
                lastInk = y;
            } else if (lastInk >= 0 && Math.abs(y - lastInk) > INK_GAP) {
                break;
            }
        }
        return firstInk < 0 ? 0 : Math.abs(lastInk - firstInk) + 1;
    }

    /** Mean position {x, y} of the ink in columns [left, right) and rows [top, bottom); NaNs when there is none. */
    public static double[] inkCentre(BufferedImage image, int left, int right, int top, int bottom) {
        double sumX = 0;
        double sumY = 0;
        int n = 0;
        for (int y = Math.max(0, top); y < Math.min(image.getHeight(), bottom); y++) {
            for (int x = Math.max(0, left); x < Math.min(image.getWidth(), right); x++) {
                if (ink(image, x, y)) {
                    sumX += x;
                    sumY += y;
                    n++;
                }
            }
        }
        return new double[] {sumX / n, sumY / n};
    }

    private static boolean inkInColumn(BufferedImage image, int x, int top, int bottom) {
        for (int y = Math.max(0, top); y < Math.min(image.getHeight(), bottom); y++) {
            if (ink(image, x, y)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The height of the legend's colour bar right of {@code fromX}: a column whose pixels run from the scale's top
     * colour down to its lowest, each pixel the scale's colour at its height; 0 when there is none.
     */
    public static int colourBarHeight(BufferedImage image, ValueScale scale, int fromX) {
        int top = scale.argbAt(1.0);
        for (int x = fromX; x < image.getWidth(); x++) {
            for (int y = 1; y < image.getHeight(); y++) {
                if (image.getRGB(x, y) != top || image.getRGB(x, y - 1) == top) {
                    continue;
                }
                int h = 1;
                while (y + h < image.getHeight() && isScaleColour(image.getRGB(x, y + h), scale)) {
                    h++;
                }
                if (h >= 20 && barMatches(image, scale, x, y, h)) {
                    return h;
                }
            }
        }
        return 0;
    }

    private static boolean isScaleColour(int argb, ValueScale scale) {
        for (int i = 0; i <= 255; i++) {
            if (scale.argbAt(i / 255.0) == argb) {
                return true;
            }
        }
        return false;
    }

    private static boolean barMatches(BufferedImage image, ValueScale scale, int x, int y, int h) {
        for (int i = 0; i < h; i++) {
            if (image.getRGB(x, y + i) != scale.argbAt(1.0 - (double) i / (h - 1))) {
                return false;
            }
        }
        return true;
    }
}
