package headwise.engine.vlm;

import headwise.engine.HeadwiseException;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * What each position of a joined vision-language sequence holds, so analyses can group attention keys by class
 * (system prompt, text, image, generated) and place image positions back on the patch grid.
 * The image positions are one contiguous run; the patch grid is its tail, {@code imageStart .. imageStart +
 * gridRows·gridCols − 1}, row-major. Image positions before {@code imageStart} are image tokens with no place on the
 * grid (the vision tower's CLS kept by the {@code full} feature strategy).
 *
 * @param imageStart the first position on the patch grid (patch (0, 0))
 */
public record TokenClasses(TokenClass[] classes, int imageStart, int gridRows, int gridCols) {

    public enum TokenClass { SYSTEM, TEXT, IMAGE, GENERATED }

    public TokenClasses {
        classes = classes.clone();
        int grid = gridRows * gridCols;
        if (gridRows < 0 || gridCols < 0 || imageStart < 0 || imageStart + grid > classes.length) {
            throw new HeadwiseException("image grid " + gridRows + "x" + gridCols + " at position " + imageStart
                    + " does not fit a sequence of " + classes.length + " positions");
        }
        int first = imageStart;
        while (grid > 0 && first > 0 && classes[first - 1] == TokenClass.IMAGE) {
            first--;
        }
        for (int i = 0; i < classes.length; i++) {
            boolean inRun = grid > 0 && i >= first && i < imageStart + grid;
            if (inRun != (classes[i] == TokenClass.IMAGE)) {
                throw new HeadwiseException("position " + i + " is " + classes[i] + " but the image covers positions "
                        + first + ".." + (imageStart + grid - 1) + " (the grid from " + imageStart + ")");
            }
        }
    }

    /** A text-only sequence of {@code length} positions (no image). */
    public static TokenClasses textOnly(int length) {
        TokenClass[] all = new TokenClass[length];
        Arrays.fill(all, TokenClass.TEXT);
        return new TokenClasses(all, 0, 0, 0);
    }

    /**
     * Text everywhere but one image run of {@code offGrid} + rows·cols positions from {@code runStart}: the tokens off
     * the grid first (the tower's CLS), then the grid.
     */
    public static TokenClasses withImage(int length, int runStart, int offGrid, int rows, int cols) {
        TokenClass[] all = new TokenClass[length];
        Arrays.fill(all, TokenClass.TEXT);
        Arrays.fill(all, runStart, runStart + offGrid + rows * cols, TokenClass.IMAGE);
        return new TokenClasses(all, runStart + offGrid, rows, cols);
    }

    public int length() {
        return classes.length;
    }

    /** Every image position, on the grid or not. */
    public int imageCount() {
        return gridCount() == 0 ? 0 : imageEnd() - imageFirst();
    }

    /** The image positions on the patch grid: gridRows·gridCols. */
    public int gridCount() {
        return gridRows * gridCols;
    }

    /** The first image position (before {@link #imageStart()} when image tokens off the grid lead the run). */
    public int imageFirst() {
        int first = imageStart;
        while (first > 0 && classes[first - 1] == TokenClass.IMAGE) {
            first--;
        }
        return first;
    }

    /** One past the last image position. */
    public int imageEnd() {
        return imageStart + gridCount();
    }

    /** Every image position, ascending: the tokens off the grid, then the grid row-major. */
    public int[] imagePositions() {
        return IntStream.range(imageFirst(), imageEnd()).toArray();
    }

    public TokenClass at(int position) {
        return classes[position];
    }

    @Override
    public TokenClass[] classes() {
        return classes.clone();
    }

    public boolean isImage(int position) {
        return classes[position] == TokenClass.IMAGE;
    }

    /** Whether {@code position} is a patch of the grid (an image position not before {@link #imageStart()}). */
    public boolean onGrid(int position) {
        return position >= imageStart && position < imageEnd();
    }
}
