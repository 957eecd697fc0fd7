package headwise.app.io;

import headwise.engine.HeadwiseException;
import headwise.engine.image.PixelImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Decodes image files (whatever javax.imageio reads: PNG, JPEG, GIF, BMP) into the engine's {@link PixelImage}.
 * Samples are taken as stored, without colour management, as PIL does: grey stays one channel, alpha is
 * dropped, palettes are looked up. (Java's getRGB would convert grey through a linear-gamma colour space.)
 */
public final class ImageFiles {

    /** Refuse decompression bombs before allocating them. */
    static final long MAX_PIXELS = 100_000_000L;

    static {
        ImageIO.setUseCache(false); // decode in memory, no temporary files
    }

    private ImageFiles() {
    }

    public static PixelImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw HeadwiseException.inFile(file, Files.exists(file) ? "not a file" : "file not found");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw HeadwiseException.inFile(file, "not an image this program can read (PNG, JPEG, GIF or BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw HeadwiseException.inFile(file, "image is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + ", more than " + MAX_PIXELS / 1_000_000 + " megapixels");
                }
                return toPixels(file, reader.read(0));
            } finally {
                reader.dispose();
            }
        } catch (HeadwiseException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw HeadwiseException.inFile(file, "cannot decode image (corrupt or truncated?): " + firstLine(e), e);
        }
    }

    static PixelImage toPixels(Path file, BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        boolean grey = !(model instanceof IndexColorModel) && model.getNumColorComponents() == 1;
        boolean raw = grey || (model instanceof ComponentColorModel && model.getNumColorComponents() == 3);
        int channels = grey ? 1 : 3;
        byte[] samples = new byte[width * height * channels];
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (raw) { // grey or RGB bands as stored (alpha, if any, is the band after them)
                    for (int c = 0; c < channels; c++) {
                        samples[i++] = (byte) to8Bits(raster.getSample(x, y, c), model.getComponentSize(c));
                    }
                } else if (model instanceof IndexColorModel palette) {
                    int index = raster.getSample(x, y, 0);
                    samples[i++] = (byte) palette.getRed(index);
                    samples[i++] = (byte) palette.getGreen(index);
                    samples[i++] = (byte) palette.getBlue(index);
                } else { // packed RGB (e.g. BMP): already 8-bit sRGB
                    int rgb = image.getRGB(x, y);
                    samples[i++] = (byte) (rgb >> 16);
                    samples[i++] = (byte) (rgb >> 8);
                    samples[i++] = (byte) rgb;
                }
            }
        }
        return new PixelImage(file.toString(), width, height, channels, samples);
    }

    /** 1-, 2-, 4- and 16-bit samples scaled to 0..255 (as PIL scales low bit depths). */
    private static int to8Bits(int value, int bits) {
        if (bits == 8) {
            return value;
        }
        int max = (1 << bits) - 1;
        return (int) Math.round(value * 255.0 / max);
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
