package headwise.app.io;

import headwise.engine.HeadwiseException;
import headwise.engine.image.PixelImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
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
import java.util.Locale;

/**
 * Decodes image files (whatever javax.imageio reads: PNG, JPEG, GIF, BMP) into the engine's {@link PixelImage}.
 * Samples are taken as stored, without colour management, as PIL does: grey stays one channel, alpha is
 * dropped, palettes are looked up. (Java's getRGB would convert grey through a linear-gamma colour space.)
 *
 * <p>Bit depths: 1-, 2- and 4-bit samples are scaled to 0..255 (×255, ×85, ×17, as PIL does). 16-bit samples keep
 * their high byte ({@code v >> 8}, so 0..255 → 0, 65535 → 255): that is what PIL does for 16-bit RGB(A) PNGs, and
 * it is used for 16-bit grey too, where PIL opens the image as mode "I" and {@code convert("RGB")} clips every value
 * above 255 to white, which would turn a typical 16-bit greyscale picture (depth maps, scans, microscopy) into a
 * white page.
 *
 * <p>Size: the declared width and height are read from the header before anything is decoded. Images of up to
 * {@link #EXACT_PIXELS} pixels are decoded exactly. Larger ones are decoded with
 * {@link ImageReadParam#setSourceSubsampling} (every s-th pixel of every s-th row; the reader streams the rows, so
 * memory stays that of the subsampled image) to a size that still keeps {@link #OVERSAMPLE}× the side the
 * preprocessing resizes to, before the exact PIL resize; the result is then a close approximation of PIL's, not
 * bit-identical. Headers declaring more than {@link #MAX_PIXELS} pixels are refused: decoding has to read every
 * pixel even when subsampling, which at that size takes minutes.
 */
public final class ImageFiles {

    /** Decoded exactly up to this many pixels (120 MB of 8-bit RGB, plus as much again for the decoder's copy). */
    public static final long EXACT_PIXELS = 40_000_000L;

    /** Refused from the header alone: a billion pixels (e.g. 31623×31623). */
    public static final long MAX_PIXELS = 1_000_000_000L;

    /**
     * The most pixels one byte of a file can expand to: deflate (PNG, TIFF) expands at most 1032-fold, and a 1-bit image
     * holds 8 pixels a byte; GIF's LZW and JPEG stay far below. A header declaring more than this times the file's size
     * (plus {@link #SMALL_PIXELS}) is lying, and is refused before the decoder allocates the image. Only bi-level
     * TIFF fax compression (CCITT) can legitimately exceed it; such scans are not the images a ViT looks at.
     */
    static final long MAX_PIXELS_PER_BYTE = 16_384;

    /** Images this small are decoded whatever their file's size. */
    static final long SMALL_PIXELS = 1L << 20;

    /** A subsampled image keeps at least this many times the preprocessing's target side... */
    static final int OVERSAMPLE = 4;

    /** ...and at least this many pixels on its shorter side, so pictures of it still look like the image. */
    static final int MIN_SUBSAMPLED_SIDE = 1024;

    static {
        ImageIO.setUseCache(false); // decode in memory, no temporary files
    }

    private ImageFiles() {
    }

    /** Exact up to {@link #EXACT_PIXELS}; larger images subsampled to at least {@link #MIN_SUBSAMPLED_SIDE} a side. */
    public static PixelImage read(Path file) {
        return read(file, 0);
    }

    /**
     * @param targetSide the side the image will be resized to (the larger of height and width, or the shortest
     *                   edge); huge images are subsampled while decoding, but keep at least {@link #OVERSAMPLE}
     *                   times this on their shorter side. 0 when unknown.
     */
    public static PixelImage read(Path file, int targetSide) {
        return decode(file, (width, height) -> subsampling(width, height, targetSide));
    }

    /** Every pixel, for an image that keeps its own size; refuses images of more than {@link #EXACT_PIXELS}. */
    public static PixelImage readFullSize(Path file) {
        return decode(file, (width, height) -> {
            if ((long) width * height > EXACT_PIXELS) {
                throw HeadwiseException.inFile(file, "image is " + width + "x" + height + " (" + megapixels(width, height)
                        + " megapixels), too large to keep its own size (at most " + EXACT_PIXELS / 1_000_000 + " megapixels)");
            }
            return 1;
        });
    }

    /** {width, height} as the file's header declares them, without decoding the pixels. */
    public static int[] size(Path file) {
        int[][] size = new int[1][];
        open(file, reader -> {
            size[0] = new int[] {reader.getWidth(0), reader.getHeight(0)};
            return null;
        });
        return size[0];
    }

    /** The subsampling factor (1 = every pixel) for an image of this size. */
    static int subsampling(long width, long height, int targetSide) {
        if (width * height <= EXACT_PIXELS) {
            return 1;
        }
        int s = 2;
        while (ceilDiv(width, s) * ceilDiv(height, s) > EXACT_PIXELS) {
            s++;
        }
        long keep = Math.max(MIN_SUBSAMPLED_SIDE, (long) OVERSAMPLE * targetSide);
        long coarsest = Math.min(width, height) / keep; // the largest factor that keeps the shorter side >= keep
        return (int) Math.max(s, coarsest);
    }

    private interface Subsampling {
        int factor(int width, int height);
    }

    private interface ReaderAction<T> {
        T apply(ImageReader reader) throws IOException;
    }

    private static PixelImage decode(Path file, Subsampling subsampling) {
        return open(file, reader -> {
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw HeadwiseException.inFile(file, "image header declares a size of " + width + "x" + height);
            }
            if ((long) width * height > MAX_PIXELS) {
                throw HeadwiseException.inFile(file, "image header declares " + width + "x" + height + " (" + megapixels(width, height)
                        + " megapixels), more than the " + MAX_PIXELS / 1_000_000 + " megapixels this program decodes");
            }
            int s = subsampling.factor(width, height);
            long fileBytes = Files.size(file);
            if ((long) width * height > SMALL_PIXELS + fileBytes * MAX_PIXELS_PER_BYTE) {
                throw HeadwiseException.inFile(file, "image header declares " + width + "x" + height + " pixels, more than a file of "
                        + fileBytes + " bytes can hold (corrupt or truncated?)");
            }
            ImageReadParam param = reader.getDefaultReadParam();
            if (s > 1) {
                param.setSourceSubsampling(s, s, 0, 0);
            }
            return toPixels(file, reader.read(0, param));
        });
    }

    /** Opens {@code file} with the first reader that recognises it; every failure becomes one line naming the file. */
    private static <T> T open(Path file, ReaderAction<T> action) {
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
                return action.apply(reader);
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
        byte[] samples = new byte[Math.multiplyExact(Math.multiplyExact(width, height), channels)];
        int bands = raster.getNumBands();
        int[] row = new int[width * (raw ? bands : 1)];
        int[] bits = new int[channels];
        for (int c = 0; c < channels && raw; c++) {
            bits[c] = model.getComponentSize(c);
        }
        int i = 0;
        for (int y = 0; y < height; y++) {
            if (raw) { // grey or RGB bands as stored (alpha, if any, is the band after them)
                raster.getPixels(0, y, width, 1, row);
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < channels; c++) {
                        samples[i++] = (byte) to8Bits(row[x * bands + c], bits[c]);
                    }
                }
            } else if (model instanceof IndexColorModel palette) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    samples[i++] = (byte) palette.getRed(row[x]);
                    samples[i++] = (byte) palette.getGreen(row[x]);
                    samples[i++] = (byte) palette.getBlue(row[x]);
                }
            } else { // packed RGB (e.g. BMP): already 8-bit sRGB
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    samples[i++] = (byte) (row[x] >> 16);
                    samples[i++] = (byte) (row[x] >> 8);
                    samples[i++] = (byte) row[x];
                }
            }
        }
        return new PixelImage(file.toString(), width, height, channels, samples);
    }

    /** 8 bits as they are; 1, 2 and 4 bits scaled to 0..255 (as PIL does); deeper samples keep their top 8 bits. */
    static int to8Bits(int value, int bits) {
        if (bits == 8) {
            return value;
        }
        if (bits > 8) {
            return value >>> (bits - 8);
        }
        int max = (1 << bits) - 1;
        return (int) Math.round(value * 255.0 / max);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static String megapixels(long width, long height) {
        return String.format(Locale.ROOT, "%.0f", width * (double) height / 1e6);
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
