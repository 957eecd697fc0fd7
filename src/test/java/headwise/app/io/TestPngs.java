package headwise.app.io;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes PNG files byte by byte, for tests: any bit depth and colour type, streamed row by row (so a 12000×12000
 * image costs one row of memory), and headers that declare absurd sizes.
 */
public final class TestPngs {

    public static final int GREY = 0;
    public static final int RGB = 2;

    private TestPngs() {
    }

    /**
     * @param row the raw bytes of row y, without the filter byte (big-endian samples for 16 bits)
     */
    public static void write(Path file, int width, int height, int bitDepth, int colourType, IntFunction<byte[]> row)
            throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED); // 12000x12000 of one colour: 1.9 MB, in about a second
        try (DeflaterOutputStream z = new DeflaterOutputStream(compressed, deflater, 1 << 16)) {
            for (int y = 0; y < height; y++) {
                z.write(0); // filter: none
                z.write(row.apply(y));
            }
        } finally {
            deflater.end();
        }
        writeChunks(file, width, height, bitDepth, colourType, compressed.toByteArray());
    }

    /** One colour everywhere, 8-bit RGB. */
    public static void writeSolid(Path file, int width, int height, int r, int g, int b) throws IOException {
        byte[] line = new byte[width * 3];
        for (int x = 0; x < width; x++) {
            line[3 * x] = (byte) r;
            line[3 * x + 1] = (byte) g;
            line[3 * x + 2] = (byte) b;
        }
        write(file, width, height, 8, RGB, y -> line);
    }

    /** A valid header declaring {@code width} × {@code height}, followed by a few bytes of image data. */
    public static void writeHeaderOnly(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(compressed)) {
            z.write(new byte[16]);
        }
        writeChunks(file, width, height, 8, RGB, compressed.toByteArray());
    }

    private static void writeChunks(Path file, int width, int height, int bitDepth, int colourType, byte[] idat)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(file); DataOutputStream data = new DataOutputStream(out)) {
            data.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(ihdr);
            h.writeInt(width);
            h.writeInt(height);
            h.writeByte(bitDepth);
            h.writeByte(colourType);
            h.writeByte(0); // deflate
            h.writeByte(0); // adaptive filtering
            h.writeByte(0); // not interlaced
            chunk(data, "IHDR", ihdr.toByteArray());
            chunk(data, "IDAT", idat);
            chunk(data, "IEND", new byte[0]);
        }
    }

    private static void chunk(DataOutputStream out, String type, byte[] body) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(body.length);
        out.write(name);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(body);
        out.writeInt((int) crc.getValue());
    }
}
