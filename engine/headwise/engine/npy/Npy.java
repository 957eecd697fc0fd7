package headwise.engine.npy;

import headwise.engine.HeadwiseException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy .npy files, format 1.0, little-endian float32 ('<f4'), C order: what numpy.load reads. */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** A float32 array and its shape. */
    public record FloatArray(long[] shape, float[] values) {
    }

    private Npy() {
    }

    public static void write(Path file, int[] shape, float[] values) {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + values.length + " values");
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(header(shape));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                if (!chunk.hasRemaining()) {
                    out.write(chunk.array(), 0, chunk.position());
                    chunk.clear();
                }
                chunk.putFloat(v);
            }
            out.write(chunk.array(), 0, chunk.position());
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getMessage());
        }
    }

    /** Magic, version 1.0, little-endian header length, dict padded with spaces and '\n' to a multiple of 64. */
    static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? shape[0] + "," : dims.substring(0, Math.max(0, dims.length() - 2));
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** Reads a '<f4' C-order .npy file (versions 1.0 to 3.0). */
    public static FloatArray read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N') {
                throw HeadwiseException.inFile(file, "not a .npy file");
            }
            int major = bytes[6];
            b.position(8);
            int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
            if (headerLength < 0 || headerLength > bytes.length - b.position()) {
                throw HeadwiseException.inFile(file, "corrupt .npy header");
            }
            String header = new String(bytes, b.position(), headerLength, StandardCharsets.ISO_8859_1);
            if (!header.contains("'descr': '<f4'") || header.contains("'fortran_order': True")) {
                throw HeadwiseException.inFile(file, "only little-endian float32 C-order .npy is supported: " + header.trim());
            }
            Matcher m = SHAPE.matcher(header);
            if (!m.find()) {
                throw HeadwiseException.inFile(file, "corrupt .npy header: no shape");
            }
            long[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToLong(Long::parseLong).toArray();
            long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            int dataStart = b.position() + headerLength;
            if ((long) dataStart + count * 4 != bytes.length) {
                throw HeadwiseException.inFile(file, "data length does not match shape " + Arrays.toString(shape));
            }
            float[] values = new float[(int) count];
            ByteBuffer.wrap(bytes, dataStart, (int) count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return new FloatArray(shape, values);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
    }
}
