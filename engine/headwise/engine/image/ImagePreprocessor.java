package headwise.engine.image;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;

/**
 * What Hugging Face's ViT/DeiT image processors do to an image, in their order: resize with PIL on the 8-bit
 * values, center crop, rescale (in double, then cast to float), normalise (in float, as NumPy does on the
 * float32 array), channels first.
 *
 * <p>An image may also keep its own size, as Hugging Face's {@code interpolate_pos_encoding=True} allows: when
 * preprocessor_config.json says {@code do_resize: false} (a center crop, if any, still applies), or when the
 * caller asks for it ({@code keepImageSize}: no resize, no crop). Both sides must then be multiples of the patch
 * size; the patch grid is whatever the image makes and the position embeddings are interpolated to it
 * ({@link PositionInterpolation}).
 */
public final class ImagePreprocessor {

    private ImagePreprocessor() {
    }

    /** The model's input [channels, imageSize, imageSize], flattened channels-first; any other final size is an error. */
    public static float[] preprocess(PixelImage image, PreprocessorConfig config, ModelSpec.Vision vision) {
        return prepare(image, config, vision, false, false).pixels();
    }

    /**
     * Preprocesses {@code image} for a ViT.
     *
     * @param keepImageSize skip resizing and cropping: the image keeps its own size (both sides multiples of the
     *                      patch size) and the position embeddings are interpolated to its patch grid
     */
    public static ImageInput prepare(PixelImage image, PreprocessorConfig config, ModelSpec.Vision vision, boolean keepImageSize) {
        return prepare(image, config, vision, keepImageSize, keepsOwnSize(config, keepImageSize));
    }

    /** Whether the image's own size (or the center crop's, when do_resize is false) decides the patch grid. */
    public static boolean keepsOwnSize(PreprocessorConfig config, boolean keepImageSize) {
        return keepImageSize || config.resize() == null;
    }

    /** {width, height} of an image of this size after preprocessing (resize and crop, or neither when kept). */
    public static int[] outputSize(PreprocessorConfig config, boolean keepImageSize, int width, int height) {
        if (keepImageSize) {
            return new int[] {width, height};
        }
        if (config.resize() != null) {
            int[] target = config.resize().target(height, width);
            width = target[1];
            height = target[0];
        }
        if (config.crop() != null) {
            width = Math.min(width, config.crop().width());
            height = Math.min(height, config.crop().height());
        }
        return new int[] {width, height};
    }

    /**
     * The larger side the resize produces (the shortest edge for {"shortest_edge"}), for decoders that may shrink
     * huge images first; 0 when there is no resize.
     */
    public static int resizeSide(PreprocessorConfig config) {
        PreprocessorConfig.Size size = config.resize();
        return size == null ? 0 : Math.max(size.shortestEdge(), Math.max(size.height(), size.width()));
    }

    private static ImageInput prepare(PixelImage image, PreprocessorConfig config, ModelSpec.Vision vision,
                                      boolean keepImageSize, boolean mayInterpolate) {
        PixelImage img = matchChannels(image, vision.channels());
        if (!keepImageSize && config.resize() != null) {
            int[] target = config.resize().target(img.height(), img.width());
            img = PilResize.resize(img, target[1], target[0], config.resample());
        }
        if (!keepImageSize && config.crop() != null) {
            img = centerCrop(img, config.crop().height(), config.crop().width());
        }
        PatchGrid grid = grid(image.source(), img, vision, mayInterpolate);
        int channels = img.channels();
        int width = img.width();
        int height = img.height();
        float[] mean = perChannel(config.mean(), channels, "image_mean", image);
        float[] std = perChannel(config.std(), channels, "image_std", image);
        float[] out = new float[channels * width * height];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float v = (float) (img.sample(x, y, c) * config.rescale());
                    if (mean != null) {
                        v = (v - mean[c]) / std[c];
                    }
                    out[(c * height + y) * width + x] = v;
                }
            }
        }
        return new ImageInput(out, grid, img);
    }

    /** The trained grid for an image of the trained size; with {@code mayInterpolate}, the grid of any whole number of patches. */
    private static PatchGrid grid(String source, PixelImage img, ModelSpec.Vision vision, boolean mayInterpolate) {
        int side = vision.imageSize();
        if (img.width() == side && img.height() == side) {
            return PatchGrid.trained(vision);
        }
        if (!mayInterpolate) {
            throw new HeadwiseException(source + ": the image is " + img.width() + "x" + img.height()
                    + " after preprocessing, but the model takes " + side + "x" + side + " (check " + PreprocessorConfig.FILE_NAME + ")");
        }
        int p = vision.patchSize();
        if (img.width() % p != 0 || img.height() % p != 0) {
            throw new HeadwiseException(source + ": the image is " + img.width() + "x" + img.height()
                    + ", but to keep its own size both sides must be multiples of the patch size " + p + " (e.g. "
                    + Math.max(p, img.width() / p * p) + "x" + Math.max(p, img.height() / p * p) + "); crop it, or let it be resized to "
                    + side + "x" + side);
        }
        return PatchGrid.of(vision, img.width(), img.height());
    }

    /** Grey images become RGB for RGB models (PIL's convert("RGB")); anything else that differs is an error. */
    static PixelImage matchChannels(PixelImage image, int modelChannels) {
        if (image.channels() == modelChannels) {
            return image;
        }
        if (modelChannels == 3) {
            return image.toRgb();
        }
        throw new HeadwiseException(image.source() + ": the image has " + image.channels() + " channels ("
                + (image.channels() == 3 ? "RGB" : "grey") + "), but the model takes " + modelChannels
                + (modelChannels == 1 ? " (greyscale)" : ""));
    }

    /** Hugging Face's center_crop: top = (height − cropHeight) / 2, left likewise, rounding down. */
    static PixelImage centerCrop(PixelImage in, int height, int width) {
        if (height > in.height() || width > in.width()) {
            throw new HeadwiseException(in.source() + ": the image is " + in.width() + "x" + in.height()
                    + " after resizing, smaller than the center crop " + width + "x" + height + " (check " + PreprocessorConfig.FILE_NAME + ")");
        }
        int top = (in.height() - height) / 2;
        int left = (in.width() - width) / 2;
        int channels = in.channels();
        byte[] out = new byte[width * height * channels];
        for (int y = 0; y < height; y++) {
            System.arraycopy(in.samples(), ((top + y) * in.width() + left) * channels, out, y * width * channels, width * channels);
        }
        return new PixelImage(in.source(), width, height, channels, out);
    }

    /** One float per channel (a single value serves every channel); null stays null (no normalisation). */
    private static float[] perChannel(double[] values, int channels, String key, PixelImage image) {
        if (values == null) {
            return null;
        }
        if (values.length != 1 && values.length != channels) {
            throw new HeadwiseException(image.source() + ": " + PreprocessorConfig.FILE_NAME + " gives " + values.length
                    + " values of \"" + key + "\" for a " + channels + "-channel model");
        }
        float[] out = new float[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = (float) values[values.length == 1 ? 0 : c];
        }
        return out;
    }
}
