package headwise.engine.vlm;

import headwise.engine.HeadwiseException;

import java.util.Arrays;

/**
 * What each position of a joined vision-language sequence holds, so analyses can group attention keys by class
 * (system prompt, text, image patch, generated) and place image positions back on the patch grid.
 * Image positions are one contiguous run: {@code imageStart .. imageStart + gridRows·gridCols − 1}, row-major.
 */
public record TokenClasses(TokenClass[] classes, int imageStart, int gridRows, int gridCols) {

    public enum TokenClass { SYSTEM, TEXT, IMAGE, GENERATED }

    public TokenClasses {
        classes = classes.clone();
        int images = gridRows * gridCols;
        if (gridRows < 0 || gridCols < 0 || imageStart < 0 || imageStart + images > classes.length) {
            throw new HeadwiseException("image grid " + gridRows + "x" + gridCols + " at position " + imageStart
                    + " does not fit a sequence of " + classes.length + " positions");
        }
        for (int i = 0; i < classes.length; i++) {
            boolean inGrid = i >= imageStart && i < imageStart + images;
            if (inGrid != (classes[i] == TokenClass.IMAGE)) {
                throw new HeadwiseException("position " + i + " is " + classes[i]
                        + " but the image grid covers positions " + imageStart + ".." + (imageStart + images - 1));
            }
        }
    }

    /** A text-only sequence of {@code length} positions (no image). */
    public static TokenClasses textOnly(int length) {
        TokenClass[] all = new TokenClass[length];
        Arrays.fill(all, TokenClass.TEXT);
        return new TokenClasses(all, 0, 0, 0);
    }

    public int length() {
        return classes.length;
    }

    public int imageCount() {
        return gridRows * gridCols;
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
}
