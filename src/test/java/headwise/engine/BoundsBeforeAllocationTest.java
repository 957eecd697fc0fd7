package headwise.engine;

import headwise.engine.image.PreprocessorConfig;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.io.gguf.GgmlType;
import headwise.engine.io.gguf.GgufFile;
import headwise.engine.io.gguf.GgufWriter;
import headwise.engine.io.TensorSource;
import headwise.engine.io.onnx.OnnxTensorSource;
import headwise.engine.json.Json;
import headwise.engine.llama2c.Llama2cConfig;
import headwise.engine.llama2c.Llama2cTokenizer;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that lie about their sizes: every length, shape, count or offset is checked against the file's size (and a
 * budget) before it decides an allocation. Each case must be refused with a one-line HeadwiseException while the
 * reader allocates almost nothing on the heap.
 */
class BoundsBeforeAllocationTest {

    /** What a refusal may allocate: the small header buffers, never the lied-about size. */
    private static final long SMALL = 8L << 20;

    @TempDir
    Path temp;

    @Test
    void safetensorsHeaderLengthBeyondTheFile() throws IOException {
        Path file = write("model.safetensors", le64(1L << 40), "{}".getBytes(StandardCharsets.UTF_8));
        refused(() -> SafetensorsFile.open(file), "header length 1099511627776 does not fit in a file of 10 bytes");
        Path negative = write("negative.safetensors", le64(-8), new byte[16]);
        refused(() -> SafetensorsFile.open(negative), "header length 18446744073709551608 does not fit");
    }

    @Test
    void safetensorsShapeLargerThanItsData() throws IOException {
        Path file = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,16]}}", 16);
        refused(() -> SafetensorsFile.open(file), "tensor 'w' has shape [100000, 100000] (40000000000 bytes of F32) but 16 data bytes");
        Path overflow = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,16]}}", 16);
        refused(() -> SafetensorsFile.open(overflow), "tensor 'w' has an impossibly large shape");
    }

    @Test
    void safetensorsOffsetsBeyondTheFile() throws IOException {
        Path file = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000],\"data_offsets\":[0,4000000]}}", 16);
        refused(() -> SafetensorsFile.open(file), "has data_offsets [0, 4000000] outside the 16 data bytes (truncated file?)");
    }

    @Test
    void ggufLengthsCountsAndDimsBeyondTheFile() throws IOException {
        Path string = write("string.gguf", new GgufWriter().raw("k", 8, le64(1L << 40)).bytes());
        refused(() -> GgufFile.open(string), "metadata 'k' of 1099511627776 bytes at byte");
        Path array = write("array.gguf", new GgufWriter().raw("a", 9, cat(new byte[] {8, 0, 0, 0}, le64(1L << 31))).bytes());
        refused(() -> GgufFile.open(array), "array 'a' of 2147483648 STRING elements is longer than the rest of the file");
        Path dims = write("dims.gguf", new GgufWriter().tensor("w", GgmlType.Q4_K, new long[] {1L << 20, 1L << 20}, new byte[0]).bytes());
        refused(() -> GgufFile.open(dims), "tensor 'w' (618475290624 bytes of Q4_K at data offset 0) runs past the end of the file");
        Path counts = write("counts.gguf", new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0}, le64(1L << 30), le64(1L << 30));
        refused(() -> GgufFile.open(counts), "the header claims 1073741824 tensors and 1073741824 metadata pairs");
    }

    @Test
    void onnxDimsLargerThanTheirData() throws IOException {
        // ModelProto.graph { initializer { dims: 2^40, data_type: FLOAT, name: "w", raw_data: 4 bytes } }
        byte[] tensor = cat(tag(1, 0), varint(1L << 40), tag(2, 0), varint(1), lengthDelimited(8, "w".getBytes(StandardCharsets.UTF_8)),
                lengthDelimited(9, new byte[4]));
        Path file = write("model.onnx", lengthDelimited(7, lengthDelimited(5, tensor)));
        refused(() -> OnnxTensorSource.open(file), "tensor 'w' has shape [1099511627776] (4398046511104 bytes of FLOAT) but 4 bytes of raw_data");
    }

    @Test
    void onnxLengthPrefixBeyondTheFile() throws IOException {
        Path file = write("model.onnx", cat(tag(7, 2), varint(1L << 31)));
        refused(() -> OnnxTensorSource.open(file), "length 2147483648 runs past the end of its message");
    }

    @Test
    void llama2cHeaderLargerThanTheFile() throws IOException {
        // dim 4096, hidden 11008, 32 layers, 32 heads: a 7B header on a 28-byte file
        Path file = write("model.bin", le32(4096, 11008, 32, 32, 32, 32000, 2048));
        refused(() -> Llama2cConfig.read(file), "llama2.c checkpoint is 28 bytes but its header");
    }

    @Test
    void llama2cTokenizerShorterThanItsVocabulary() throws IOException {
        Path file = write("tokenizer.bin", le32(16, 0, 1));
        refused(() -> Llama2cTokenizer.read(file, 1 << 20), "llama2.c tokenizer of 12 bytes is too short for 1048576 tokens");
    }

    @Test
    void preprocessorSizesAreBounded() {
        Path file = temp.resolve(PreprocessorConfig.FILE_NAME);
        refused(() -> PreprocessorConfig.parse(file, Json.parseObject(file, "{\"size\":{\"height\":100000,\"width\":100000}}"), false),
                "\"height\" is 100000 pixels, more than the 4096 this program resizes to");
        refused(() -> PreprocessorConfig.parse(file, Json.parseObject(file, "{\"do_center_crop\":true,\"crop_size\":2000000000}"), false),
                "\"crop_size\" is 2000000000 pixels");
    }

    @Test
    void configDimensionsBeyondTheCheckpoint() throws IOException {
        // a GPT-2 config claiming 2^31-1 vocabulary entries and a million layers, on the tiny fixture's weights
        Path folder = Files.createDirectories(temp.resolve("liar"));
        Files.copy(Fixtures.model("gpt2_f32").resolve("model.safetensors"), folder.resolve("model.safetensors"));
        String config = Files.readString(Fixtures.model("gpt2_f32").resolve("config.json"))
                .replaceAll("\"vocab_size\": *\\d+", "\"vocab_size\": 2147483647")
                .replaceAll("\"n_layer\": *\\d+", "\"n_layer\": 1000000");
        Files.writeString(folder.resolve("config.json"), config);
        long before = allocated();
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ModelLoader.load(folder.toString()).close());
        long allocated = allocated() - before;
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(allocated < 64L << 20, "allocated " + (allocated >> 20) + " MiB before refusing: " + e.getMessage());
    }

    @Test
    void weightsThatCannotFitAreRefusedBeforeLoading() {
        // 200 tensors of 40000 x 40000 floats: 1.28 TB, more than any machine running the tests has free
        TensorSource huge = new TensorSource() {
            @Override
            public Set<String> names() {
                return java.util.stream.IntStream.range(0, 200).mapToObj(i -> "w" + i).collect(java.util.stream.Collectors.toSet());
            }

            @Override
            public long[] shape(String name) {
                return new long[] {40_000, 40_000};
            }

            @Override
            public float[] floats(String name) {
                throw new AssertionError("must not be read");
            }

            @Override
            public Path fileOf(String name) {
                return location();
            }

            @Override
            public Path location() {
                return Path.of("huge", "model.safetensors");
            }
        };
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> MemoryBudget.checkWeights(huge));
        assertTrue(e.getMessage().startsWith(Path.of("huge", "model.safetensors") + ": the weights need about 1220703 MiB of memory"),
                e.getMessage());
    }

    @Test
    void runEstimateSaturatesInsteadOfOverflowing() {
        ModelSpec spec = new ModelSpec("llama", "LlamaForCausalLM", 1_000_000, 1 << 20, 1, 1 << 20, 1, 1 << 20, 1 << 20, 0, true,
                ModelSpec.Norm.RMS_NORM, false, 1e-6, ModelSpec.Activation.SILU_GATED, ModelSpec.Output.LM_LOGITS,
                new ModelSpec.Rope(10000, ModelSpec.RopeLayout.ROTATE_HALF, null), 0, null);
        MemoryBudget.Estimate e = MemoryBudget.estimate(spec, Integer.MAX_VALUE, AttentionMaps.Precision.F16);
        assertEquals(Long.MAX_VALUE, e.heapBytes());
        // long inputs attend in blocks, so the forward's own work stays finite: still far beyond any machine
        assertTrue(e.nativeBytes() > 1L << 50, "native estimate " + e.nativeBytes());
        HeadwiseException refused = assertThrows(HeadwiseException.class, () -> MemoryBudget.check(spec, Integer.MAX_VALUE, ForwardOptions.defaults()));
        assertTrue(refused.getMessage().contains("tokens fit"), refused.getMessage());
    }

    /**
     * A relevance map or gradient importance keeps every intermediate for its backward pass: the estimate follows
     * GPT-2-small's measured peaks (about 10.9 GB beyond the resident weights and JVM at 512 tokens, 14.4 GB measured
     * in all), and a pass that cannot fit is refused in one line, naming what fits, before SameDiff allocates.
     */
    @Test
    void gradientPassesAreBudgetedBeforeTheyStart() {
        ModelSpec gpt2Small = new ModelSpec("gpt2", "GPT2LMHeadModel", 12, 12, 12, 768, 64, 3072, 50257, 1024, true,
                ModelSpec.Norm.LAYER_NORM, false, 1e-5, ModelSpec.Activation.GELU_TANH, ModelSpec.Output.LM_LOGITS, null, 0, null);
        double gb512 = MemoryBudget.gradientPassBytes(gpt2Small, 512) / 1e9;
        assertTrue(gb512 > 10 && gb512 < 12, "512 tokens: " + gb512 + " GB");
        assertTrue(MemoryBudget.gradientPassBytes(gpt2Small, 1024) > 3 * MemoryBudget.gradientPassBytes(gpt2Small, 512),
                "quadratic in the length");
        HeadwiseException refused = assertThrows(HeadwiseException.class,
                () -> MemoryBudget.checkGradientPass(gpt2Small, 65_536, "a relevance map"));
        assertTrue(refused.getMessage().startsWith("a relevance map of 65536 tokens needs about "), refused.getMessage());
        assertTrue(refused.getMessage().contains("tokens fit"), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
    }

    /** Runs {@code open}, which must throw a one-line HeadwiseException containing {@code expected}, allocating little. */
    private static void refused(Executable open, String expected) {
        long before = allocated();
        HeadwiseException e = assertThrows(HeadwiseException.class, open);
        long allocated = allocated() - before;
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(allocated < SMALL, "allocated " + (allocated >> 20) + " MiB before refusing: " + e.getMessage());
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private Path safetensors(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return write("model.safetensors", le64(json.length), json, new byte[dataBytes]);
    }

    private Path write(String name, byte[]... parts) throws IOException {
        return Files.write(temp.resolve(name), cat(parts));
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] le32(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] tag(int field, int wireType) {
        return varint(((long) field << 3) | wireType);
    }

    private static byte[] lengthDelimited(int field, byte[] body) {
        return cat(tag(field, 2), varint(body.length), body);
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
