package headwise.engine.image;

/**
 * A decoded image as plain 8-bit samples (decoding itself happens in the app: the engine knows no image formats).
 *
 * @param source   where it came from, as the user named it, for error messages
 * @param channels 1 (grey) or 3 (RGB); decoders drop alpha, as PIL's {@code convert("RGB")} does
 * @param samples  width·height·channels bytes, rows top to bottom, channels interleaved (HWC); read them with
 *                 {@link #sample}, which treats them as unsigned
 */
public record PixelImage(String source, int width, int height, int channels, byte[] samples) {

    public PixelImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
        }
        if ((long) width * height * channels != samples.length) {
            throw new IllegalArgumentException("samples do not match " + width + "x" + height + "x" + channels);
        }
    }

    /** The value 0..255 of channel {@code c} at column {@code x}, row {@code y}. */
    public int sample(int x, int y, int c) {
        return samples[(y * width + x) * channels + c] & 0xFF;
    }

    /** Grey copied into R, G and B (PIL's convert("RGB")); RGB images are returned as they are. */
    public PixelImage toRgb() {
        if (channels == 3) {
            return this;
        }
        byte[] rgb = new byte[samples.length * 3];
        for (int i = 0; i < samples.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = samples[i];
        }
        return new PixelImage(source, width, height, 3, rgb);
    }
}
