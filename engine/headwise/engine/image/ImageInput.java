package headwise.engine.image;

/**
 * A preprocessed image, ready for a ViT.
 *
 * @param pixels [channels, grid.height(), grid.width()] channels-first, rescaled and normalised
 * @param grid   the patches the image is cut into (the trained grid, or another when the image kept its own size)
 * @param seen   the 8-bit image the pixels were computed from (after resizing and cropping, before rescaling),
 *               grid.width() × grid.height(): what the model saw, for pictures
 */
public record ImageInput(float[] pixels, PatchGrid grid, PixelImage seen) {

    public ImageInput {
        if (seen.width() != grid.width() || seen.height() != grid.height()) {
            throw new IllegalArgumentException("image " + seen.width() + "x" + seen.height() + " does not match the "
                    + grid.rows() + "x" + grid.cols() + " patch grid of " + grid.patchSize() + " px");
        }
        if (pixels.length % (grid.width() * grid.height()) != 0) {
            throw new IllegalArgumentException(pixels.length + " pixel values are not whole channels of "
                    + grid.width() + "x" + grid.height());
        }
    }
}
