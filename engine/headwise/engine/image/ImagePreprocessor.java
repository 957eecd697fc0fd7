package headwise.engine.image;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;

/**
 * What Hugging Face's ViT/DeiT image processors do to an image, in their order: resize with PIL on the 8-bit
 * values, center crop, rescale (in double, then cast to float), normalise (in float, as NumPy does on the
 * float32 array), channels first.
 */
public final class ImagePreprocessor {

    private ImagePreprocessor() {
    }

    /** The model's input [channels, imageSize, imageSize], flattened channels-first. */
    public static float[] preprocess(PixelImage image, PreprocessorConfig config, ModelSpec.Vision vision) {
        PixelImage img = matchChannels(image, vision.channels());
        if (config.resize() != null) {
            int[] target = config.resize().target(img.height(), img.width());
            img = PilResize.resize(img, target[1], target[0], config.resample());
        }
        if (config.crop() != null) {
            img = centerCrop(img, config.crop().height(), config.crop().width());
        }
        int side = vision.imageSize();
        if (img.width() != side || img.height() != side) {
            throw new HeadwiseException(image.source() + ": the image is " + img.width() + "x" + img.height()
                    + " after preprocessing, but the model takes " + side + "x" + side + " (check " + PreprocessorConfig.FILE_NAME + ")");
        }
        int channels = img.channels();
        float[] mean = perChannel(config.mean(), channels, "image_mean", image);
        float[] std = perChannel(config.std(), channels, "image_std", image);
        float[] out = new float[channels * side * side];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float v = (float) (img.sample(x, y, c) * config.rescale());
                    if (mean != null) {
                        v = (v - mean[c]) / std[c];
                    }
                    out[(c * side + y) * side + x] = v;
                }
            }
        }
        return out;
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
