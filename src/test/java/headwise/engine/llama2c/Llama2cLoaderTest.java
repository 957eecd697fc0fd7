package headwise.engine.llama2c;

import headwise.engine.HeadwiseException;
import headwise.engine.load.Llama2cLoader;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding, validating and mapping llama2.c folders; every bad file gives one line that names it. */
class Llama2cLoaderTest {

    static final Path MODEL = Llama2cReference.STORIES260K.resolve("stories260K.bin");
    static final Path TOKENIZER = Llama2cReference.STORIES260K.resolve("tok512.bin");

    @TempDir
    Path temp;

    @Test
    void specOfStories260K() {
        try (LoadedModel model = ModelLoader.load(Llama2cReference.STORIES260K.toString())) {
            ModelSpec spec = model.spec();
            assertEquals("llama2c", spec.family());
            assertEquals("llama2.c", spec.architecture());
            assertEquals(5, spec.layers());
            assertEquals(8, spec.heads());
            assertEquals(4, spec.kvHeads());
            assertEquals(64, spec.dModel());
            assertEquals(8, spec.dHead());
            assertEquals(172, spec.dMlp());
            assertEquals(512, spec.vocabSize());
            assertEquals(512, spec.maxPositions());
            assertTrue(spec.causal());
            assertEquals(ModelSpec.Norm.RMS_NORM, spec.norm());
            assertEquals(1e-5, spec.normEps());
            assertEquals(ModelSpec.Activation.SILU_GATED, spec.activation());
            assertEquals(ModelSpec.RopeLayout.ADJACENT_PAIRS, spec.rope().layout());
            assertEquals(10000, spec.rope().theta());
            assertNull(spec.rope().scaling());
            assertEquals("stories260K", model.name());
            assertTrue(model.tokenizer() instanceof Llama2cTokenizer);
            // shared classifier: the unembedding is the embedding transposed
            var w = model.transformer().weights();
            assertEquals(w.tokenEmbed().transpose(), w.unembed().weight());
            assertEquals(ModelSpec.Output.LM_LOGITS, spec.output());
        }
    }

    @Test
    void filesAreToldApartByContentNotName() throws IOException {
        Path folder = Files.createDirectory(temp.resolve("renamed"));
        Files.copy(MODEL, folder.resolve("a.bin"));      // sorts first, but is the model
        Files.copy(TOKENIZER, folder.resolve("0model.bin"));
        assertTrue(Llama2cLoader.isLlama2cFolder(folder));
        try (LoadedModel model = ModelLoader.load(folder.toString())) {
            assertEquals(512, model.spec().vocabSize());
            assertEquals("Once upon", model.tokenizer().decode(new int[] {1, 403, 407}));
        }
    }

    @Test
    void aModelWithoutTokenizerTakesIds() throws IOException {
        Path folder = Files.createDirectory(temp.resolve("bare"));
        Files.copy(MODEL, folder.resolve("stories260K.bin"));
        try (LoadedModel model = ModelLoader.load(folder.toString())) {
            assertFalse(model.hasTokenizer());
        }
    }

    @Test
    void foldersWithConfigJsonOrNoHeaderAreNotLlama2c() throws IOException {
        Path hf = Files.createDirectory(temp.resolve("hf"));
        Files.copy(MODEL, hf.resolve("stories260K.bin"));
        Files.writeString(hf.resolve("config.json"), "{}");
        assertFalse(Llama2cLoader.isLlama2cFolder(hf));
        Path pickle = Files.createDirectory(temp.resolve("pickle"));
        Files.write(pickle.resolve("pytorch_model.bin"), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertFalse(Llama2cLoader.isLlama2cFolder(pickle));
        Path tokenizerOnly = Files.createDirectory(temp.resolve("tok"));
        Files.copy(TOKENIZER, tokenizerOnly.resolve("tok512.bin"));
        assertFalse(Llama2cLoader.isLlama2cFolder(tokenizerOnly));
    }

    // ---- bad files: one line, naming the file

    @Test
    void truncatedModel() throws IOException {
        Path folder = folderWith(Arrays.copyOf(Files.readAllBytes(MODEL), 500_000), Files.readAllBytes(TOKENIZER));
        assertOneLine(folder, "stories260K.bin", "llama2.c checkpoint is 500000 bytes but its header");
    }

    @Test
    void modelWithExtraBytes() throws IOException {
        Path folder = folderWith(Arrays.copyOf(Files.readAllBytes(MODEL), 1_056_540 + 4), Files.readAllBytes(TOKENIZER));
        assertOneLine(folder, "stories260K.bin", "implies 1056540 bytes");
    }

    @Test
    void unsharedClassifierMissing() throws IOException {
        // vocab_size −512 says a separate classifier follows; the file has none
        byte[] model = Files.readAllBytes(MODEL);
        ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN).putInt(20, -512);
        assertOneLine(folderWith(model, Files.readAllBytes(TOKENIZER)), "stories260K.bin", "implies " + (1_056_540 + 512 * 64 * 4) + " bytes");
    }

    @Test
    void unsharedClassifierIsRead() throws IOException {
        byte[] model = Files.readAllBytes(MODEL);
        byte[] withClassifier = Arrays.copyOf(model, model.length + 512 * 64 * 4);
        System.arraycopy(model, 28, withClassifier, model.length, 512 * 64 * 4); // wcls = a copy of the embedding
        ByteBuffer.wrap(withClassifier).order(ByteOrder.LITTLE_ENDIAN).putInt(20, -512);
        try (LoadedModel loaded = ModelLoader.load(folderWith(withClassifier, Files.readAllBytes(TOKENIZER)).toString())) {
            assertEquals(512, loaded.spec().vocabSize());
            var w = loaded.transformer().weights();
            assertEquals(w.tokenEmbed().transpose(), w.unembed().weight());
        }
    }

    @Test
    void absurdHeader() throws IOException {
        byte[] model = Files.readAllBytes(MODEL);
        ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 64).putInt(4, Integer.MAX_VALUE);
        // an implausible header is not taken for a model at all
        assertOneLine(folderWith(model, Files.readAllBytes(TOKENIZER)), "config.json", "file not found");
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> Llama2cConfig.read(temp.resolve("m").resolve("stories260K.bin")));
        assertTrue(e.getMessage().contains("stories260K.bin: not a llama2.c checkpoint: header (dim 64, hidden_dim 2147483647"), e.getMessage());
    }

    @Test
    void headsThatDoNotDivide() throws IOException {
        byte[] model = Files.readAllBytes(MODEL);
        ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 3); // 8 heads, 3 kv heads
        Path folder = folderWith(model, Files.readAllBytes(TOKENIZER));
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> Llama2cConfig.read(folder.resolve("stories260K.bin")));
        assertTrue(e.getMessage().endsWith("n_heads must be a multiple of n_kv_heads"), e.getMessage());
    }

    @Test
    void truncatedTokenizer() throws IOException {
        byte[] tokenizer = Files.readAllBytes(TOKENIZER);
        Path folder = folderWith(Files.readAllBytes(MODEL), Arrays.copyOf(tokenizer, tokenizer.length - 2));
        assertOneLine(folder, "tok512.bin", "llama2.c tokenizer ends inside token 511 of 512 (truncated?)");
    }

    @Test
    void tokenizerOfAnotherVocabulary() throws IOException {
        byte[] tokenizer = Files.readAllBytes(TOKENIZER);
        byte[] longer = Arrays.copyOf(tokenizer, tokenizer.length + 9);
        ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putFloat(tokenizer.length, -300f).putInt(tokenizer.length + 4, 1)
                .put(tokenizer.length + 8, (byte) 'x');
        assertOneLine(folderWith(Files.readAllBytes(MODEL), longer), "tok512.bin", "has 9 bytes after its 512 tokens");
    }

    @Test
    void garbageTokenizer() throws IOException {
        byte[] garbage = new byte[3000];
        new java.util.Random(3).nextBytes(garbage);
        assertOneLine(folderWith(Files.readAllBytes(MODEL), garbage), "tok512.bin", "not a llama2.c tokenizer");
    }

    private Path folderWith(byte[] model, byte[] tokenizer) throws IOException {
        Path folder = Files.createDirectories(temp.resolve("m"));
        Files.write(folder.resolve("stories260K.bin"), model);
        Files.write(folder.resolve("tok512.bin"), tokenizer);
        return folder;
    }

    private static void assertOneLine(Path folder, String file, String problem) {
        HeadwiseException e = assertThrows(HeadwiseException.class, () -> ModelLoader.load(folder.toString()).close());
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains(file + ": "), message);
        assertTrue(message.contains(problem), message);
    }
}
