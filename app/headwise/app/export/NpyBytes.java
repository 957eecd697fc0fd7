package headwise.app.export;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * NumPy .npy format 1.0 in memory, little-endian float32 ('&lt;f4') or int32 ('&lt;i4'), C order: the entries of an
 * .npz, which numpy.load reads as a dict of arrays.
 */
final class NpyBytes {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private NpyBytes() {
    }

    static byte[] float32(int[] shape, float[] values) {
        check(shape, values.length);
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return join(header("<f4", shape), data.array());
    }

    static byte[] int32(int[] shape, int[] values) {
        check(shape, values.length);
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asIntBuffer().put(values);
        return join(header("<i4", shape), data.array());
    }

    /** Magic, version, little-endian header length, then the dict padded with spaces and '\n' to a multiple of 64. */
    static byte[] header(String descr, int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        String text = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static void check(int[] shape, int count) {
        long expected = 1;
        for (int d : shape) {
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + count + " values");
        }
    }

    private static byte[] join(byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + data.length);
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }
}
