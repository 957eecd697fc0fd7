package headwise.engine.minilm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rewrites an ONNX model so that extra intermediate values become graph outputs (for onnxruntime to return the
 * attention Softmax outputs). Works on the protobuf wire format: copies ModelProto's fields and appends
 * ValueInfoProto entries (GraphProto field 12) to the graph (ModelProto field 7). Test-only.
 */
final class OnnxAttentionOutputs {

    private OnnxAttentionOutputs() {
    }

    static byte[] withFloatOutputs(byte[] model, List<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + 4096);
        int[] position = {0};
        while (position[0] < model.length) {
            int fieldStart = position[0];
            long tag = readVarint(model, position);
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> readVarint(model, position);
                case 1 -> position[0] += 8;
                case 5 -> position[0] += 4;
                case 2 -> {
                    int length = (int) readVarint(model, position);
                    if (field == 7) {
                        ByteArrayOutputStream graph = new ByteArrayOutputStream();
                        graph.write(model, position[0], length);
                        for (String name : names) {
                            writeBytesField(graph, 12, floatValueInfo(name));
                        }
                        writeBytesField(out, 7, graph.toByteArray());
                        position[0] += length;
                        continue;
                    }
                    position[0] += length;
                }
                default -> throw new IllegalArgumentException("unexpected wire type " + wireType);
            }
            out.write(model, fieldStart, position[0] - fieldStart);
        }
        return out.toByteArray();
    }

    /** ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type: FLOAT}}}. */
    private static byte[] floatValueInfo(String name) {
        ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
        writeVarint(tensorType, 1 << 3);
        writeVarint(tensorType, 1);
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        writeBytesField(type, 1, tensorType.toByteArray());
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        writeBytesField(info, 1, name.getBytes(StandardCharsets.UTF_8));
        writeBytesField(info, 2, type.toByteArray());
        return info.toByteArray();
    }

    private static void writeBytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long readVarint(byte[] bytes, int[] position) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = bytes[position[0]++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
