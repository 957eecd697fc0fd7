package headwise.engine.image;

import headwise.engine.model.ModelSpec;

/**
 * The patches a ViT cut an image into: {@code rows} × {@code cols} squares of {@code patchSize} pixels, after
 * {@code specialTokens} tokens (CLS, and DeiT's distillation token; none in SigLIP). Token {@code specialTokens + row·cols + col}
 * is patch (row, col). The trained grid is image_size/patch_size a side; any other grid uses interpolated
 * position embeddings ({@link PositionInterpolation}).
 */
public record PatchGrid(int rows, int cols, int patchSize, int specialTokens) {

    public PatchGrid {
        if (rows <= 0 || cols <= 0 || patchSize <= 0 || specialTokens < 0) {
            throw new IllegalArgumentException("bad patch grid " + rows + "x" + cols + " of " + patchSize + " px, "
                    + specialTokens + " special tokens");
        }
    }

    /** The grid the model was trained on. */
    public static PatchGrid trained(ModelSpec.Vision vision) {
        return new PatchGrid(vision.patchesPerSide(), vision.patchesPerSide(), vision.patchSize(), specialTokens(vision));
    }

    /** The grid for an image of {@code width} × {@code height} pixels (both multiples of the patch size). */
    public static PatchGrid of(ModelSpec.Vision vision, int width, int height) {
        int p = vision.patchSize();
        if (width % p != 0 || height % p != 0) {
            throw new IllegalArgumentException(width + "x" + height + " is not a whole number of " + p + "-pixel patches");
        }
        return new PatchGrid(height / p, width / p, p, specialTokens(vision));
    }

    public static int specialTokens(ModelSpec.Vision vision) {
        return vision.specialTokens();
    }

    public int patches() {
        return rows * cols;
    }

    /** All tokens: special ones, then the patches row-major. */
    public int tokens() {
        return specialTokens + patches();
    }

    /** Image width in pixels. */
    public int width() {
        return cols * patchSize;
    }

    /** Image height in pixels. */
    public int height() {
        return rows * patchSize;
    }

    /** The token index of patch (row, col). */
    public int token(int row, int col) {
        return specialTokens + row * cols + col;
    }
}
