package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufFileTest {

    @TempDir
    Path dir;

    private static final float[] VALUES = {1f, -2f, 3.5f, 0.25f, -0.125f, 7f};

    private GgufWriter small() {
        return new GgufWriter()
                .string("general.architecture", "llama")
                .u32("llama.block_count", 2)
                .f32("llama.rope.freq_base", 10000f)
                .bool("tokenizer.ggml.add_bos_token", true)
                .strings("tokenizer.ggml.tokens", List.of("a", "bé", ""))
                .tensor("w", GgmlType.F32, new long[] {3, 2}, GgmlQuantizer.f32(VALUES))
                .tensor("h", GgmlType.F16, new long[] {6}, GgmlQuantizer.f16(VALUES));
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("model.gguf"), bytes);
    }

    private String failure(byte[] bytes) throws IOException {
        Path file = write(bytes);
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> GgufFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    void readsMetadataTensorInfosAndData() throws IOException {
        try (GgufFile gguf = GgufFile.open(write(small().bytes()))) {
            assertEquals(3, gguf.version());
            GgufMetadata m = gguf.metadata();
            assertEquals("llama", m.string("general.architecture"));
            assertEquals(2, m.nonNegativeInt("llama.block_count"));
            assertEquals(10000.0, m.optionalNumber("llama.rope.freq_base"));
            assertTrue(m.optionalBoolean("tokenizer.ggml.add_bos_token", false));
            assertArrayEquals(new String[] {"a", "bé", ""}, m.optionalArray("tokenizer.ggml.tokens").strings());
            GgufTensorInfo w = gguf.tensors().get("w");
            assertArrayEquals(new long[] {3, 2}, w.dims());
            assertArrayEquals(new long[] {2, 3}, w.rowMajorShape());
            assertEquals(0, w.start() % 32);
            assertArrayEquals(VALUES, gguf.floats(w));
            assertArrayEquals(VALUES, gguf.floats(gguf.tensors().get("h")));
        }
    }

    @Test
    void largeTensorsAreMappedInWindowsOfWholeBlocks() throws IOException {
        float[] values = new float[32 * 7];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 13 - 6) * 0.125f;
        }
        byte[] bytes = new GgufWriter().tensor("q", GgmlType.Q8_0, new long[] {32, 7}, GgmlQuantizer.q8_0(values)).bytes();
        try (GgufFile gguf = GgufFile.open(write(bytes))) {
            GgufTensorInfo q = gguf.tensors().get("q");
            float[] whole = gguf.floats(q);
            for (long window : new long[] {1, 34, 68, 100, 34 * 7}) {
                assertArrayEquals(whole, gguf.floats(q, window), "windows of " + window + " bytes");
            }
        }
    }

    @Test
    void readsVersion2AndACustomAlignment() throws IOException {
        byte[] bytes = new GgufWriter(2).u32("general.alignment", 256)
                .tensor("a", GgmlType.F32, new long[] {6}, GgmlQuantizer.f32(VALUES))
                .tensor("b", GgmlType.F32, new long[] {6}, GgmlQuantizer.f32(VALUES)).bytes();
        try (GgufFile gguf = GgufFile.open(write(bytes))) {
            assertEquals(2, gguf.version());
            assertEquals(0, gguf.tensors().get("b").start() % 256);
            assertEquals(256, gguf.tensors().get("b").start() - gguf.tensors().get("a").start());
            assertArrayEquals(VALUES, gguf.floats(gguf.tensors().get("b")));
        }
    }

    @Test
    void readsEveryMetadataTypeAndNestedArrays() throws IOException {
        ByteBuffer nested = GgufWriter.le(4 + 8 + 2 * (4 + 8) + 4 + 2 + 8);
        nested.putInt(GgufValueType.ARRAY.ordinal()).putLong(2);
        nested.putInt(GgufValueType.INT16.ordinal()).putLong(2).putShort((short) -3).putShort((short) 4);
        nested.putInt(GgufValueType.UINT64.ordinal()).putLong(1).putLong(1L << 40);
        GgufWriter w = new GgufWriter()
                .raw("u8", 0, new byte[] {(byte) 200}).raw("i8", 1, new byte[] {(byte) -5})
                .raw("u16", 2, GgufWriter.le(2).putShort((short) 60000).array()).raw("i16", 3, GgufWriter.le(2).putShort((short) -7).array())
                .u32("u32", 4000000000L).i32("i32", -9).f32("f32", 0.5f).bool("bool", true)
                .raw("u64", 10, GgufWriter.le(8).putLong(1L << 50).array()).raw("i64", 11, GgufWriter.le(8).putLong(-1L << 50).array())
                .raw("f64", 12, GgufWriter.le(8).putDouble(0.1).array())
                .raw("nested", 9, Arrays.copyOf(nested.array(), nested.position()));
        try (GgufFile gguf = GgufFile.open(write(w.bytes()))) {
            GgufMetadata m = gguf.metadata();
            assertEquals(200L, m.get("u8"));
            assertEquals(-5L, m.get("i8"));
            assertEquals(60000L, m.get("u16"));
            assertEquals(-7L, m.get("i16"));
            assertEquals(4000000000L, m.get("u32"));
            assertEquals(-9L, m.get("i32"));
            assertEquals(0.5f, m.get("f32"));
            assertEquals(true, m.get("bool"));
            assertEquals(1L << 50, m.get("u64"));
            assertEquals(-1L << 50, m.get("i64"));
            assertEquals(0.1, m.get("f64"));
            GgufArray outer = m.optionalArray("nested");
            assertEquals(2, outer.size());
            GgufArray first = ((GgufArray[]) outer.values())[0];
            assertEquals(-3L, first.getLong(0));
            assertEquals(4L, first.getLong(1));
            assertEquals(1L << 40, ((GgufArray[]) outer.values())[1].getLong(0));
        }
    }

    @Test
    void truncatedFilesAreReportedWhereverTheyEnd() throws IOException {
        byte[] whole = small().bytes();
        // the last tensor is 12 bytes followed by 20 of padding to the alignment, which the format does not require
        for (int length : new int[] {0, 3, 7, 20, 30, 60, 100, whole.length - 40, whole.length - 21}) {
            String message = failure(Arrays.copyOf(whole, length));
            assertTrue(message.contains("not a GGUF file") || message.contains("truncated"), length + ": " + message);
        }
    }

    @Test
    void aTensorBeyondTheFile() throws IOException {
        byte[] bytes = small().bytes();
        patchTensorOffset(bytes, "h", 1L << 20);
        assertTrue(failure(bytes).contains("tensor 'h' (12 bytes of F16 at data offset 1048576) runs past the end of the file"));
    }

    @Test
    void aTensorOffsetOffTheAlignment() throws IOException {
        byte[] bytes = small().bytes();
        patchTensorOffset(bytes, "h", 36);
        assertTrue(failure(bytes).contains("data offset 36, not a multiple of the alignment 32"));
    }

    @Test
    void overlappingTensors() throws IOException {
        byte[] bytes = small().bytes();
        patchTensorOffset(bytes, "h", 0);
        assertTrue(failure(bytes).contains("tensors 'w' and 'h' overlap") || failure(bytes).contains("tensors 'h' and 'w' overlap"));
    }

    @Test
    void elementCountsThatLie() throws IOException {
        byte[] huge = new GgufWriter().tensor("x", GgmlType.F32, new long[] {1L << 40, 1L << 40}, new byte[0]).bytes();
        assertTrue(failure(huge).contains("tensor 'x' has impossibly large dimensions"));
        byte[] tooMany = new GgufWriter().tensor("x", GgmlType.F32, new long[] {1000}, new byte[0]).bytes();
        assertTrue(failure(tooMany).contains("tensor 'x' (4000 bytes of F32 at data offset 0) runs past the end"));
        byte[] offBlock = new GgufWriter().tensor("q", GgmlType.Q8_0, new long[] {33}, new byte[0]).bytes();
        assertTrue(failure(offBlock).contains("33 elements per row, not a multiple of its block of 32"));
        byte[] negative = new GgufWriter().tensor("x", GgmlType.F32, new long[] {-1}, new byte[0]).bytes();
        assertTrue(failure(negative).contains("dimension 0 of tensor 'x'"), failure(negative));
        byte[] fiveDims = new GgufWriter().tensor("x", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[0]).bytes();
        assertTrue(failure(fiveDims).contains("tensor 'x' has 5 dimensions"));
    }

    @Test
    void unknownTypes() throws IOException {
        assertTrue(failure(new GgufWriter().raw("k", 13, new byte[8]).bytes()).contains("metadata 'k' has unknown value type 13"));
        byte[] badTensorType = small().bytes();
        patchTensorType(badTensorType, "h", 4); // Q4_2, removed from ggml
        assertTrue(failure(badTensorType).contains("tensor 'h' has unknown ggml type 4"));
    }

    @Test
    void anUndecodableTypeIsNamedWithItsTensorWhenRead() throws IOException {
        byte[] bytes = new GgufWriter().tensor("blk.0.attn_q.weight", GgmlType.IQ2_XXS, new long[] {256}, new byte[66]).bytes();
        try (GgufFile gguf = GgufFile.open(write(bytes))) {
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> gguf.floats(gguf.tensors().get("blk.0.attn_q.weight")));
            assertTrue(e.getMessage().contains("tensor 'blk.0.attn_q.weight' has type IQ2_XXS, which Headwise cannot decode (supported: F32, F16, Q4_0"),
                    e.getMessage());
        }
    }

    @Test
    void lengthsLongerThanTheRestOfTheFile() throws IOException {
        byte[] longString = new GgufWriter().raw("k", 8, GgufWriter.le(8).putLong(1L << 40).array()).bytes();
        assertTrue(failure(longString).contains("metadata 'k' of 1099511627776 bytes at byte"), failure(longString));
        byte[] longKey = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putInt(GgufFile.MAGIC).putInt(3).putLong(0).putLong(1)
                .putLong(Long.MAX_VALUE).array();
        assertTrue(failure(longKey).contains("metadata key 0 of 9223372036854775807 bytes"), failure(longKey));
        byte[] longArray = new GgufWriter().raw("a", 9, GgufWriter.le(12).putInt(6).putLong(1L << 33).array()).bytes();
        assertTrue(failure(longArray).contains("array 'a' of 8589934592 FLOAT32 elements is longer than the rest of the file"));
        byte[] counts = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(GgufFile.MAGIC).putInt(3).putLong(1L << 40).putLong(0).array();
        assertTrue(failure(counts).contains("claims 1099511627776 tensors"));
        byte[] unsignedHuge = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(GgufFile.MAGIC).putInt(3).putLong(-1).putLong(0).array();
        assertTrue(failure(unsignedHuge).contains("tensor count at byte 8 is 18446744073709551615, impossibly large"));
    }

    @Test
    void arraysNestedTooDeep() throws IOException {
        ByteBuffer value = GgufWriter.le(12 * 6);
        for (int i = 0; i < 6; i++) {
            value.putInt(GgufValueType.ARRAY.ordinal()).putLong(1);
        }
        assertTrue(failure(new GgufWriter().raw("deep", 9, value.array()).bytes()).contains("nests arrays more than 4 deep"));
    }

    @Test
    void alignmentMustBeAPowerOfTwo() throws IOException {
        for (long alignment : new long[] {0, 3, 48}) {
            byte[] bytes = new GgufWriter().raw("general.alignment", 4, GgufWriter.le(4).putInt((int) alignment).array()).bytes();
            assertTrue(failure(bytes).contains("general.alignment " + alignment + " is not a power of two"));
        }
        byte[] asString = new GgufWriter().string("general.alignment", "32").bytes();
        assertTrue(failure(asString).contains("general.alignment 32 is not a power of two"));
    }

    @Test
    void duplicates() throws IOException {
        byte[] tensors = new GgufWriter().tensor("w", GgmlType.F32, new long[] {1}, new byte[4])
                .tensor("w", GgmlType.F32, new long[] {1}, new byte[4]).bytes();
        assertTrue(failure(tensors).contains("tensor 'w' appears twice"));
        byte[] keys = new GgufWriter().u32("k", 1).u32("k", 2).bytes();
        assertTrue(failure(keys).contains("metadata key 'k' appears twice"));
    }

    @Test
    void notGgufOrAnotherVersion() throws IOException {
        assertTrue(failure("GGML not this".getBytes(StandardCharsets.US_ASCII)).contains("not a GGUF file"));
        assertTrue(failure(new GgufWriter(1).bytes()).contains("GGUF version 1"));
        byte[] bigEndian = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(GgufFile.MAGIC).putInt(3 << 24).array();
        assertTrue(failure(bigEndian).contains("a big-endian file?"));
        assertTrue(GgufFile.hasMagic(write(small().bytes())));
        assertFalse(GgufFile.hasMagic(write(new byte[2])));
    }

    @Test
    void stringsMustBeUtf8() throws IOException {
        byte[] bytes = new GgufWriter().raw("k", 8, GgufWriter.le(9).putLong(1).put((byte) 0xff).array()).bytes();
        assertTrue(failure(bytes).contains("is not UTF-8"));
    }

    /** Overwrites the offset field of tensor {@code name}'s info (the u64 after its type). */
    private static void patchTensorOffset(byte[] file, String name, long offset) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(typeField(file, name) + 4, offset);
    }

    private static void patchTensorType(byte[] file, String name, int type) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(typeField(file, name), type);
    }

    /** Position of the type field in tensor {@code name}'s info: after its name, n_dims and dims. */
    private static int typeField(byte[] file, String name) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        byte[] needle = GgufWriter.le(8 + name.length()).putLong(name.length()).put(name.getBytes(StandardCharsets.UTF_8)).array();
        for (int i = file.length - needle.length; i >= 0; i--) {
            if (Arrays.equals(Arrays.copyOfRange(file, i, i + needle.length), needle)) {
                int dims = in.getInt(i + needle.length);
                return i + needle.length + 4 + 8 * dims;
            }
        }
        throw new AssertionError("no tensor info " + name);
    }
}
