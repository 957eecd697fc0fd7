package headwise.engine.io.onnx;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ProtoReaderTest {

    private static final Path FILE = Path.of("tiny.onnx");

    /** A hand-rolled protobuf encoder, just enough to build test messages. */
    static final class Enc {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Enc raw(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Enc varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Enc tag(int field, int wireType) {
            return varint(((long) field << 3) | wireType);
        }

        Enc varintField(int field, long v) {
            return tag(field, ProtoReader.VARINT).varint(v);
        }

        Enc fixed32Field(int field, int v) {
            tag(field, ProtoReader.FIXED32);
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
            return this;
        }

        Enc fixed64Field(int field, long v) {
            tag(field, ProtoReader.FIXED64);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Enc bytesField(int field, byte[] b) {
            tag(field, ProtoReader.LEN).varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Enc stringField(int field, String s) {
            return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Enc messageField(int field, Enc m) {
            return bytesField(field, m.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static Enc tensor(String name, int dataType, long[] dims, byte[] raw) {
        Enc t = new Enc();
        for (long d : dims) {
            t.varintField(1, d);
        }
        t.varintField(2, dataType);
        t.stringField(8, name);
        if (raw != null) {
            t.bytesField(9, raw);
        }
        return t;
    }

    static Enc node(String op, String in0, String in1, String out) {
        return new Enc().stringField(1, in0).stringField(1, in1).stringField(2, out).stringField(3, op + "_node").stringField(4, op);
    }

    static byte[] model(Enc graph) {
        return new Enc().varintField(1, 6).stringField(2, "pytorch")
                .messageField(8, new Enc().varintField(2, 11))
                .messageField(7, graph).bytes();
    }

    /**
     * A tiny Linear exported as PyTorch does: weight [in=2, out=3] unnamed, bias named, Add(bias, MatMul);
     * plus a second Linear with Add(MatMul, bias) and packed dims/float_data, an int64 constant, and a
     * float initializer with an exporter-generated name.
     */
    static byte[] tinyModel() {
        Enc packedDims = new Enc().varint(3).varint(1);
        Enc second = new Enc().messageField(1, packedDims).varintField(2, 1).stringField(8, "onnx::MatMul_9")
                .bytesField(4, floatBytes(7, 8)).fixed32Field(4, Float.floatToIntBits(9));
        Enc graph = new Enc()
                .messageField(1, node("MatMul", "x", "onnx::MatMul_5", "m"))
                .messageField(1, node("Add", "lin.bias", "m", "y"))
                .messageField(1, node("MatMul", "y", "onnx::MatMul_9", "m2"))
                .messageField(1, node("Add", "m2", "head.dense.bias", "z"))
                .messageField(1, node("Shape", "z", "", "s"))
                .stringField(2, "tiny")
                .messageField(5, tensor("onnx::MatMul_5", 1, new long[]{2, 3}, floatBytes(1, 2, 3, 4, 5, 6)))
                .messageField(5, tensor("lin.bias", 1, new long[]{3}, floatBytes(0.5f, -0.5f, 1.5f)))
                .messageField(5, second)
                .messageField(5, tensor("head.dense.bias", 1, new long[]{1}, floatBytes(-1)))
                .messageField(5, tensor("embeddings.position_ids", 7, new long[]{1, 2}, new byte[16]))
                .messageField(5, tensor("onnx::Mul_3", 1, new long[]{}, floatBytes(2)))
                .messageField(11, new Enc().stringField(1, "x"));
        return model(graph);
    }

    private static HeadwiseException corrupt(Runnable r) {
        HeadwiseException e = assertThrows(HeadwiseException.class, r::run);
        assertTrue(e.getMessage().startsWith(FILE + ": corrupt ONNX file: "), e.getMessage());
        return e;
    }

    private static ProtoReader reader(byte[] bytes) {
        return new ProtoReader(FILE, ByteBuffer.wrap(bytes));
    }

    private static ProtoReader reader(int... bytes) {
        return reader(new Enc().raw(bytes).bytes());
    }

    @Test
    void readsEveryWireTypeAndSkipsUnknownFields() {
        byte[] bytes = new Enc().varintField(1, 300).fixed64Field(2, 0x1122334455667788L).fixed32Field(3, 0xdeadbeef)
                .stringField(4, "héllo").varintField(99, Long.MAX_VALUE).messageField(5, new Enc().varintField(1, 7))
                .varintField(6, -1).bytes();
        ProtoReader r = reader(bytes);
        assertTrue(r.next());
        assertEquals(1, r.field());
        assertEquals(300, r.varint());
        assertTrue(r.next());
        assertEquals(0x1122334455667788L, r.fixed64());
        assertTrue(r.next());
        assertEquals(0xdeadbeef, r.fixed32());
        assertTrue(r.next());
        assertEquals("héllo", r.string());
        assertTrue(r.next());
        assertEquals(99, r.field());
        r.skip();
        assertTrue(r.next());
        ProtoReader inner = r.message();
        assertTrue(inner.next());
        assertEquals(7, inner.varint());
        assertFalse(inner.next());
        assertTrue(r.next());
        assertEquals(-1L, r.varint(), "10-byte varint of -1");
        assertFalse(r.next());
    }

    @Test
    void truncatedVarint() {
        HeadwiseException e = corrupt(() -> {
            ProtoReader r = reader(0x08, 0x80, 0x80);
            r.next();
            r.varint();
        });
        assertTrue(e.getMessage().contains("truncated varint"), e.getMessage());
        corrupt(() -> reader(0x80).next()); // truncated tag
    }

    @Test
    void truncatedFixedWidthValues() {
        corrupt(() -> {
            ProtoReader r = reader(0x09, 1, 2, 3, 4, 5, 6, 7);
            r.next();
            r.fixed64();
        });
        corrupt(() -> {
            ProtoReader r = reader(0x0d, 1, 2, 3);
            r.next();
            r.fixed32();
        });
        corrupt(() -> {
            ProtoReader r = reader(0x0d, 1, 2);
            r.next();
            r.skip();
        });
    }

    @Test
    void varintOfMoreThanTenBytes() {
        HeadwiseException e = corrupt(() -> {
            ProtoReader r = reader(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
            r.next();
            r.varint();
        });
        assertTrue(e.getMessage().contains("longer than 10 bytes"), e.getMessage());
        HeadwiseException overflow = corrupt(() -> {
            ProtoReader r = reader(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
            r.next();
            r.varint();
        });
        assertTrue(overflow.getMessage().contains("overflows 64 bits"), overflow.getMessage());
        corrupt(() -> reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).next());
    }

    @Test
    void lengthBeyondTheEnd() {
        HeadwiseException e = corrupt(() -> {
            ProtoReader r = reader(0x0a, 100, 'a', 'b', 'c');
            r.next();
            r.string();
        });
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
        corrupt(() -> {
            ProtoReader r = reader(0x0a, 100, 'a', 'b', 'c');
            r.next();
            r.skip();
        });
        corrupt(() -> {
            ProtoReader r = reader(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f); // ~4 GiB
            r.next();
            r.bytes();
        });
    }

    @Test
    void lengthIsCheckedAgainstTheEnclosingMessageNotTheWholeBuffer() {
        // outer message of 3 bytes claims an inner string of 5 bytes; bytes exist after the outer message
        byte[] bytes = new Enc().raw(0x0a, 3, 0x0a, 5, 'a', 'b', 'c', 'd', 'e', 'f').bytes();
        corrupt(() -> {
            ProtoReader r = reader(bytes);
            r.next();
            ProtoReader inner = r.message();
            inner.next();
            inner.string();
        });
    }

    @Test
    void negativeLength() {
        HeadwiseException e = corrupt(() -> {
            ProtoReader r = reader(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a');
            r.next();
            r.message();
        });
        assertTrue(e.getMessage().contains("negative length"), e.getMessage());
    }

    @Test
    void invalidTagsAndWireTypes() {
        assertTrue(corrupt(() -> reader(0x00).next()).getMessage().contains("field number 0"));
        assertTrue(corrupt(() -> reader(0x0b).next()).getMessage().contains("groups"));
        assertTrue(corrupt(() -> reader(0x0e).next()).getMessage().contains("wire type 6"));
        corrupt(() -> reader(new Enc().varint(1L << 35 | 2).bytes()).next()); // tag beyond 32 bits
        corrupt(() -> {
            ProtoReader r = reader(0x08, 0x01);
            r.next();
            r.expect(ProtoReader.LEN, "ModelProto.graph");
        });
    }

    @Test
    void errorMessagesSayWhere() {
        HeadwiseException e = corrupt(() -> {
            ProtoReader r = reader(0x08, 0x01, 0x12, 0x02, 0x08, 0x80);
            r.next();
            r.varint();
            r.next();
            ProtoReader inner = r.message();
            inner.next();
            inner.varint();
        });
        assertTrue(e.getMessage().endsWith("at byte 5"), e.getMessage());
    }

    @Test
    void tinyModelRoundTripsToHfNamesAndTransposedData() {
        OnnxTensorSource source = OnnxTensorSource.parse(FILE, ByteBuffer.wrap(tinyModel()));
        assertEquals(Set.of("lin.weight", "lin.bias", "head.dense.weight", "head.dense.bias"), source.names());
        assertArrayEquals(new long[]{3, 2}, source.shape("lin.weight"));
        // stored [in=2, out=3] = [[1,2,3],[4,5,6]]; HF [out, in] = [[1,4],[2,5],[3,6]]
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, source.floats("lin.weight"));
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, source.storedFloats("onnx::MatMul_5"));
        assertEquals("onnx::MatMul_5", source.onnxName("lin.weight"));
        assertArrayEquals(new long[]{3}, source.shape("lin.bias"));
        assertArrayEquals(new float[]{0.5f, -0.5f, 1.5f}, source.floats("lin.bias"));
        // packed dims [3, 1] and float_data (packed 7, 8 then unpacked 9): HF [1, 3]
        assertArrayEquals(new long[]{1, 3}, source.shape("head.dense.weight"));
        assertArrayEquals(new float[]{7, 8, 9}, source.floats("head.dense.weight"));
        assertEquals(null, source.shape("embeddings.position_ids"));
        assertEquals(null, source.shape("onnx::MatMul_5"));
        assertEquals(null, source.shape("onnx::Mul_3"));
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> source.floats("nope"));
        assertTrue(e.getMessage().contains("'nope'"));
        assertEquals(FILE, source.location());
        assertEquals(FILE, source.fileOf("lin.bias"));
    }

    @Test
    void openReadsAFileAndReportsAMissingOne(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.onnx");
        Files.write(f, tinyModel());
        try (OnnxTensorSource source = OnnxTensorSource.open(f)) {
            assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, source.floats("lin.weight"));
        }
        HeadwiseException missing = assertThrows(HeadwiseException.class, () -> OnnxTensorSource.open(dir.resolve("no.onnx")));
        assertTrue(missing.getMessage().contains("file not found"), missing.getMessage());
        assertThrows(HeadwiseException.class, () -> OnnxTensorSource.open(dir));
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> OnnxTensorSource.open(empty));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
    }

    private static Enc linearGraph(Enc weight) {
        return new Enc()
                .messageField(1, node("MatMul", "x", "onnx::MatMul_5", "m"))
                .messageField(1, node("Add", "lin.bias", "m", "y"))
                .messageField(5, weight)
                .messageField(5, tensor("lin.bias", 1, new long[]{3}, floatBytes(0, 0, 0)));
    }

    private static HeadwiseException parseFails(byte[] model) {
        return assertThrows(HeadwiseException.class, () -> OnnxTensorSource.parse(FILE, ByteBuffer.wrap(model)));
    }

    @Test
    void unsupportedDataTypeNamesTheTensor() {
        HeadwiseException e = parseFails(model(linearGraph(tensor("onnx::MatMul_5", 10, new long[]{2, 3}, new byte[12]))));
        assertTrue(e.getMessage().contains("lin.weight") && e.getMessage().contains("FLOAT16"), e.getMessage());
        HeadwiseException d = parseFails(model(new Enc().messageField(5, tensor("emb.weight", 11, new long[]{1}, new byte[8]))));
        assertTrue(d.getMessage().contains("'emb.weight'") && d.getMessage().contains("DOUBLE"), d.getMessage());
    }

    @Test
    void externalDataIsRefused() {
        Enc ext = tensor("emb.weight", 1, new long[]{4}, null)
                .messageField(13, new Enc().stringField(1, "location").stringField(2, "weights.bin"))
                .varintField(14, 1);
        HeadwiseException e = parseFails(model(new Enc().messageField(5, ext)));
        assertTrue(e.getMessage().contains("'emb.weight'") && e.getMessage().contains("external"), e.getMessage());
    }

    @Test
    void rawDataMustMatchTheShape() {
        HeadwiseException e = parseFails(model(linearGraph(tensor("onnx::MatMul_5", 1, new long[]{2, 3}, floatBytes(1, 2, 3, 4, 5)))));
        assertTrue(e.getMessage().contains("corrupt ONNX file") && e.getMessage().contains("lin.weight")
                && e.getMessage().contains("20 bytes"), e.getMessage());
        HeadwiseException huge = parseFails(model(new Enc().messageField(5,
                tensor("emb.weight", 1, new long[]{1L << 40, 1L << 40}, floatBytes(1)))));
        assertTrue(huge.getMessage().contains("impossibly large"), huge.getMessage());
        HeadwiseException negative = parseFails(model(new Enc().messageField(5, tensor("emb.weight", 1, new long[]{-1}, floatBytes(1)))));
        assertTrue(negative.getMessage().contains("negative dimension"), negative.getMessage());
        HeadwiseException noData = parseFails(model(new Enc().messageField(5, tensor("emb.weight", 1, new long[]{2}, null))));
        assertTrue(noData.getMessage().contains("float_data"), noData.getMessage());
    }

    @Test
    void nameCollisionsAreErrors() {
        Enc graph = linearGraph(tensor("onnx::MatMul_5", 1, new long[]{2, 3}, new byte[24]))
                .messageField(5, tensor("lin.weight", 1, new long[]{3, 2}, new byte[24]));
        assertTrue(parseFails(model(graph)).getMessage().contains("'lin.weight'"));
        Enc dup = new Enc().messageField(5, tensor("a", 1, new long[]{1}, floatBytes(1)))
                .messageField(5, tensor("a", 1, new long[]{1}, floatBytes(1)));
        assertTrue(parseFails(model(dup)).getMessage().contains("two initializers"));
    }

    @Test
    void notAnOnnxFile() {
        HeadwiseException e = parseFails("{\"__metadata__\": {}}".getBytes(StandardCharsets.UTF_8));
        assertTrue(e.getMessage().startsWith(FILE + ": corrupt ONNX file: "), e.getMessage());
    }

    /** Every prefix of a valid model either parses or fails with a HeadwiseException, never anything else. */
    @Test
    void everyTruncationFailsCleanly() {
        byte[] model = tinyModel();
        for (int n = 0; n < model.length; n++) {
            byte[] prefix = java.util.Arrays.copyOf(model, n);
            tryParse(prefix, "prefix of " + n + " bytes");
        }
    }

    /** Random byte mutations of a valid model only ever give HeadwiseException (a small in-test fuzz). */
    @Test
    void mutationsFailCleanly() {
        byte[] model = tinyModel();
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = model.clone();
            int edits = 1 + random.nextInt(4);
            for (int k = 0; k < edits; k++) {
                m[random.nextInt(m.length)] = (byte) (random.nextBoolean() ? random.nextInt(256) : 0xff);
            }
            tryParse(m, "mutation " + i);
        }
    }

    private static void tryParse(byte[] bytes, String what) {
        try {
            OnnxTensorSource source = OnnxTensorSource.parse(FILE, ByteBuffer.wrap(bytes));
            for (String name : source.names()) {
                long[] shape = source.shape(name);
                float[] data = source.floats(name);
                long n = 1;
                for (long d : shape) {
                    n *= d;
                }
                assertEquals(n, data.length, what + ": " + name);
            }
        } catch (HeadwiseException expected) {
            assertTrue(expected.getMessage().startsWith(FILE + ": "), what + ": " + expected.getMessage());
        } catch (RuntimeException | Error e) {
            fail(what + " threw " + e, e);
        }
    }
}
