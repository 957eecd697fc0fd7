package headwise.app.io;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.image.PixelImage;
import headwise.engine.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding gives the stored sample values, as PIL does (no colour conversion of grey, alpha dropped); 16-bit samples
 * keep their high byte; huge images are subsampled while decoding, absurd headers refused before it.
 */
class ImageFilesTest {

    private static final Path RESIZE = Fixtures.model("vit_resize");

    @Test
    void rgbPngIsExact() {
        PixelImage image = ImageFiles.read(RESIZE.resolve("source.png"));
        assertEquals(45, image.width());
        assertEquals(37, image.height());
        assertEquals(3, image.channels());
        assertArrayEquals(Npy.read(RESIZE.resolve("source.npy")).values(), floats(image));
    }

    @Test
    void greyPngStaysGreyWithoutGammaConversion() {
        PixelImage image = ImageFiles.read(RESIZE.resolve("gray.png"));
        assertEquals(1, image.channels());
        assertArrayEquals(Npy.read(RESIZE.resolve("gray.npy")).values(), floats(image));
    }

    @Test
    void alphaIsDropped() {
        PixelImage image = ImageFiles.read(RESIZE.resolve("rgba.png"));
        assertEquals(3, image.channels());
        assertArrayEquals(Npy.read(RESIZE.resolve("source.npy")).values(), floats(image));
    }

    @Test
    void palettePngIsLookedUp(@TempDir Path temp) throws IOException {
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(0, 0, 0xFF0000);
        indexed.setRGB(1, 0, 0x0000FF);
        Path file = temp.resolve("p.png");
        ImageIO.write(indexed, "png", file.toFile());
        PixelImage image = ImageFiles.read(file);
        assertArrayEquals(new float[] {255, 0, 0, 0, 0, 255}, floats(image));
    }

    @Test
    void errorsNameTheFile(@TempDir Path temp) throws IOException {
        Path text = temp.resolve("notes.png");
        Files.writeString(text, "not an image");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.read(text));
        assertTrue(e.getMessage().startsWith(text + ": not an image"), e.getMessage());
        HeadwiseException folder = assertThrows(HeadwiseException.class, () -> ImageFiles.read(temp));
        assertTrue(folder.getMessage().startsWith(temp + ": not a file"), folder.getMessage());
    }

    @Test
    void emptyAndTextFilesAreNotImages(@TempDir Path temp) throws IOException {
        Path empty = Files.createFile(temp.resolve("empty.jpg"));
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.read(empty));
        assertTrue(e.getMessage().startsWith(empty + ": not an image"), e.getMessage());
        Path csv = Files.writeString(temp.resolve("data.png"), "a,b\n1,2\n");
        HeadwiseException text = assertThrows(HeadwiseException.class, () -> ImageFiles.size(csv));
        assertTrue(text.getMessage().startsWith(csv + ": not an image"), text.getMessage());
    }

    @Test
    void eightBitGreyPngStaysOneChannel(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("grey8.png");
        TestPngs.write(file, 3, 2, 8, TestPngs.GREY, y -> new byte[] {0, (byte) (100 + y), (byte) 255});
        PixelImage image = ImageFiles.read(file);
        assertEquals(1, image.channels());
        assertArrayEquals(new float[] {0, 100, 255, 0, 101, 255}, floats(image));
    }

    /** 16-bit samples keep their high byte (PIL's mapping for 16-bit RGB; PIL would clip 16-bit grey at 255). */
    @Test
    void sixteenBitPngsKeepTheHighByte(@TempDir Path temp) throws IOException {
        int[] values = {0, 255, 256, 32767, 32768, 65535};
        float[] expected = {0, 0, 1, 127, 128, 255};
        Path grey = temp.resolve("grey16.png");
        TestPngs.write(grey, values.length, 1, 16, TestPngs.GREY, y -> bigEndian(values, 1));
        PixelImage g = ImageFiles.read(grey);
        assertEquals(1, g.channels());
        assertArrayEquals(expected, floats(g));

        Path rgb = temp.resolve("rgb16.png");
        TestPngs.write(rgb, values.length, 1, 16, TestPngs.RGB, y -> bigEndian(values, 3));
        PixelImage c = ImageFiles.read(rgb);
        assertEquals(3, c.channels());
        for (int x = 0; x < values.length; x++) {
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(expected[x], c.sample(x, 0, ch), "x " + x + " channel " + ch);
            }
        }
    }

    @Test
    void lowBitDepthsScaleToTheFullRange() {
        assertEquals(255, ImageFiles.to8Bits(1, 1));
        assertEquals(170, ImageFiles.to8Bits(2, 2));
        assertEquals(136, ImageFiles.to8Bits(8, 4));
        assertEquals(200, ImageFiles.to8Bits(200, 8));
        assertEquals(255, ImageFiles.to8Bits(65535, 16));
    }

    @Test
    void subsamplingOnlyBeyondTheExactLimit() {
        assertEquals(1, ImageFiles.subsampling(6000, 6000, 224), "36 MP: exact");
        assertEquals(1, ImageFiles.subsampling(8000, 5000, 224), "40 MP: exact");
        // 12000² for a 224 target: every 11th pixel (1091², at least 4 x 224 and 1024 a side)
        assertEquals(11, ImageFiles.subsampling(12000, 12000, 224));
        assertEquals(11, ImageFiles.subsampling(12000, 12000, 0), "no target: the 1024-pixel floor decides");
        assertEquals(6, ImageFiles.subsampling(12000, 12000, 500), "2000 pixels kept for a 500 target");
        // a 2000-pixel target keeps 8000 on the shorter side, but the 40 MP budget still shrinks it
        assertEquals(2, ImageFiles.subsampling(12000, 12000, 2000));
        // a long strip: the budget decides
        assertEquals(2, ImageFiles.subsampling(100_000, 500, 224));
    }

    /**
     * A 12000×12000 PNG (one colour, so the file is small) would need 432 MB as 8-bit RGB, 576 MB as int ARGB:
     * it is subsampled while decoding, keeping the allocation small.
     */
    @Test
    void hugePngIsSubsampledWhileDecoding(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("huge.png");
        TestPngs.writeSolid(file, 12000, 12000, 200, 30, 90);
        assertArrayEquals(new int[] {12000, 12000}, ImageFiles.size(file));

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.gc();
        long heapBefore = usedHeap();
        resetPeaks();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        PixelImage image = ImageFiles.read(file, 224);
        double seconds = (System.nanoTime() - start) / 1e9;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        long peak = peakHeap() - heapBefore;
        System.out.printf("12000x12000 PNG -> %dx%d in %.2f s, %d MB allocated, heap peak +%d MB%n",
                image.width(), image.height(), seconds, allocated >> 20, peak >> 20);

        assertEquals(1091, image.width());
        assertEquals(1091, image.height());
        assertEquals(3, image.channels());
        assertEquals(200, image.sample(0, 0, 0));
        assertEquals(30, image.sample(1090, 1090, 1));
        assertEquals(90, image.sample(500, 700, 2));
        assertTrue(allocated < 64L << 20, "allocated " + (allocated >> 20) + " MB");
    }

    @Test
    void absurdHeadersAreRefusedBeforeDecoding(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("bomb.png");
        TestPngs.writeHeaderOnly(file, 100_000, 100_000);
        assertTrue(Files.size(file) < 1000, "a tiny file");
        assertArrayEquals(new int[] {100_000, 100_000}, ImageFiles.size(file));
        long start = System.nanoTime();
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.read(file));
        assertTrue((System.nanoTime() - start) < 2_000_000_000L, "refused from the header");
        assertEquals(file + ": image header declares 100000x100000 (10000 megapixels), more than the 1000 megapixels this program decodes",
                e.getMessage());
    }

    @Test
    void fullSizeDecodingRefusesHugeImages(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("wide.png");
        TestPngs.writeHeaderOnly(file, 20_000, 10_000);
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.readFullSize(file));
        assertTrue(e.getMessage().startsWith(file + ": image is 20000x10000 (200 megapixels), too large to keep its own size"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void headerLargerThanTheFileCanHoldIsRefusedBeforeDecoding(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("short.png");
        TestPngs.writeHeaderOnly(file, 9000, 9000); // 81 MP declared, 16 bytes of data: no compression expands that far
        long start = System.nanoTime();
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.read(file));
        assertTrue((System.nanoTime() - start) < 2_000_000_000L, "refused from the header");
        assertEquals(file + ": image header declares 9000x9000 pixels, more than a file of " + Files.size(file)
                + " bytes can hold (corrupt or truncated?)", e.getMessage());
    }

    @Test
    void truncatedImageIsADecodeError(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("short.png");
        TestPngs.writeHeaderOnly(file, 1000, 1000); // small enough to be decoded whatever the file's size
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ImageFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + ": cannot decode image"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static byte[] bigEndian(int[] values, int channels) {
        byte[] out = new byte[values.length * channels * 2];
        int i = 0;
        for (int v : values) {
            for (int c = 0; c < channels; c++) {
                out[i++] = (byte) (v >> 8);
                out[i++] = (byte) v;
            }
        }
        return out;
    }

    private static long usedHeap() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static float[] floats(PixelImage image) {
        float[] out = new float[image.samples().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.samples()[i] & 0xFF;
        }
        return out;
    }
}
