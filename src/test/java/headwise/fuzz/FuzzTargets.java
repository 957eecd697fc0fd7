package headwise.fuzz;

import com.google.gson.JsonObject;
import headwise.app.io.ImageFiles;
import headwise.app.session.SessionFile;
import headwise.app.session.SessionState;
import headwise.engine.HeadwiseException;
import headwise.engine.family.Families;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PixelImage;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.io.ShardedSafetensors;
import headwise.engine.io.TensorSource;
import headwise.engine.io.gguf.GgufFile;
import headwise.engine.io.gguf.GgufTensorInfo;
import headwise.engine.io.onnx.OnnxTensorSource;
import headwise.engine.json.Json;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;
import headwise.engine.tokenize.TextTokenizer;
import headwise.engine.tokenize.TokenizedText;
import headwise.engine.tokenize.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One fuzz target per parser. Each takes the raw bytes of the file(s) (several files are {@link Parts}), writes
 * them to a scratch folder, parses them as the program would, and uses what it got. The only acceptable failure
 * is a {@link HeadwiseException} with a one-line message ({@link #expected}); anything else escapes and is a bug.
 * Shared by Jazzer's in-suite run over all targets ({@code ParserFuzzTest}) and its long run per target
 * ({@code ParserFuzzer}).
 */
public final class FuzzTargets {

    /** A target and the folder of its seed corpus (under src/test/resources/headwise/fuzz/ParserFuzzerInputs). */
    public enum Target {
        SAFETENSORS("safetensors", FuzzTargets::safetensors),
        SHARDED_INDEX("shardedIndex", FuzzTargets::shardedIndex),
        CONFIG("config", FuzzTargets::config),
        MODEL_FOLDER("modelFolder", FuzzTargets::modelFolder),
        ONNX("onnx", FuzzTargets::onnx),
        TOKENIZER("tokenizer", FuzzTargets::tokenizer),
        PREPROCESSOR("preprocessor", FuzzTargets::preprocessor),
        /** Images up to ImageFiles.EXACT_PIXELS are decoded in full, whatever the file size. */
        IMAGE("image", FuzzTargets::image, 640L << 20),
        LLAMA2C("llama2c", FuzzTargets::llama2c),
        SESSION("session", FuzzTargets::session),
        GGUF("gguf", FuzzTargets::gguf);

        public final String seeds;
        private final Consumer<byte[]> run;
        private final long fixedBudget;

        Target(String seeds, Consumer<byte[]> run) {
            this(seeds, run, 64L << 20);
        }

        Target(String seeds, Consumer<byte[]> run, long fixedBudget) {
            this.seeds = seeds;
            this.run = run;
            this.fixedBudget = fixedBudget;
        }

        /** Heap one input may make the parser allocate: a fixed allowance plus a multiple of the input's size. */
        public long heapBudget(int inputBytes) {
            return fixedBudget + 64L * inputBytes;
        }

        public void run(byte[] data) {
            run.accept(data);
        }

        /**
         * {@link #run}, and also a finding (AssertionError) if the input takes longer than {@link #SLOW_MS} or makes
         * the parser allocate more than {@link #heapBudget} on the heap. An input over a limit runs a second time
         * before it counts: the first input to reach a class pays for loading (and Jazzer's instrumenting) it.
         */
        public void runChecked(byte[] data) {
            long[] cost = measure(data);
            if (cost[0] > SLOW_MS || cost[1] > heapBudget(data.length)) {
                cost = measure(data);
                if (cost[0] > SLOW_MS) {
                    throw new AssertionError(seeds + ": an input of " + data.length + " bytes took " + cost[0] + " ms");
                }
                if (cost[1] > heapBudget(data.length)) {
                    throw new AssertionError(seeds + ": an input of " + data.length + " bytes allocated "
                            + (cost[1] >> 20) + " MiB on the heap");
                }
            }
        }

        /** Milliseconds taken and heap bytes allocated (HotSpot's per-thread counter) by one run. */
        private long[] measure(byte[] data) {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            run(data);
            return new long[] {(System.nanoTime() - t0) / 1_000_000, threads.getCurrentThreadAllocatedBytes() - allocatedBefore};
        }
    }

    /** A hang, not a slow machine: a model load under load took 20 s once. */
    static final long SLOW_MS = 30_000;

    /** The vision settings the image targets preprocess for: a 32-pixel, 3-channel ViT with 16-pixel patches. */
    private static final ModelSpec.Vision VISION = new ModelSpec.Vision(32, 16, 3, false);
    private static final String TEXT = "Hello, world! héllo 123 \u4e16\u754c\n\t<s>";

    private static final ThreadLocal<Path> SCRATCH = ThreadLocal.withInitial(() -> {
        try {
            Path dir = Files.createTempDirectory("headwise-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    /** When set, even a HeadwiseException escapes: the seeds must be valid files. */
    static final ThreadLocal<Boolean> STRICT = ThreadLocal.withInitial(() -> false);

    private FuzzTargets() {
    }

    public static void safetensors(byte[] data) {
        Path file = write(fresh(), "model.safetensors", data);
        expected(() -> {
            try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
                readAll(tensors);
            }
        });
    }

    /** model.safetensors.index.json and two shards it may name (shard1/shard2.safetensors). */
    public static void shardedIndex(byte[] data) {
        List<byte[]> parts = Parts.split(data, 3);
        Path folder = fresh();
        Path index = write(folder, "model.safetensors.index.json", parts.get(0));
        write(folder, "shard1.safetensors", parts.get(1));
        write(folder, "shard2.safetensors", parts.get(2));
        expected(() -> {
            try (ShardedSafetensors tensors = ShardedSafetensors.open(index)) {
                readAll(tensors);
            }
        });
    }

    /** config.json alone: the family's spec, then the memory estimate of a run on it. */
    public static void config(byte[] data) {
        Path file = write(fresh(), "config.json", data);
        expected(() -> {
            JsonObject config = Json.readObject(file);
            ModelSpec spec = Families.forConfig(file, config).spec(file, config);
            for (int length : new int[] {1, 512, Integer.MAX_VALUE}) {
                for (AttentionMaps.Precision precision : AttentionMaps.Precision.values()) {
                    MemoryBudget.Estimate e = MemoryBudget.estimate(spec, length, precision);
                    if (e.heapBytes() < 0 || e.nativeBytes() < 0) {
                        throw new AssertionError("negative memory estimate " + e + " for " + spec);
                    }
                }
            }
        });
    }

    /** A saved (or autosaved) session file: read, then written back and read again (it must survive a round trip). */
    public static void session(byte[] data) {
        Path file = write(fresh(), "session.json", data);
        expected(() -> {
            SessionState state = SessionFile.read(file);
            Path again = file.resolveSibling("again.json");
            SessionFile.write(state, again);
            if (!SessionFile.read(again).equals(state)) {
                throw new AssertionError("a session read from a file does not survive being written and read back");
            }
        });
    }

    /** config.json, model.safetensors and tokenizer.json: a whole model folder loaded and run on a short text. */
    public static void modelFolder(byte[] data) {
        List<byte[]> parts = Parts.split(data, 3);
        Path folder = fresh();
        write(folder, "config.json", parts.get(0));
        write(folder, "model.safetensors", parts.get(1));
        if (parts.get(2).length > 0) {
            write(folder, "tokenizer.json", parts.get(2));
        }
        expected(() -> {
            try (LoadedModel model = ModelLoader.load(folder.toString())) {
                ModelSpec spec = model.spec();
                MemoryBudget.check(spec, 4, ForwardOptions.defaults());
                if (model.hasTokenizer()) {
                    model.tokenizer().encode(TEXT);
                }
            }
        });
    }

    public static void onnx(byte[] data) {
        Path file = write(fresh(), "model.onnx", data);
        expected(() -> {
            try (OnnxTensorSource tensors = OnnxTensorSource.open(file)) {
                readAll(tensors);
            }
        });
    }

    /** tokenizer.json through the native tokenizers library: open, encode, decode. */
    public static void tokenizer(byte[] data) {
        Path file = write(fresh(), "tokenizer.json", data);
        expected(() -> {
            try (TextTokenizer tokenizer = TextTokenizer.open(file)) {
                use(tokenizer);
            }
        });
    }

    /** preprocessor_config.json, applied to a 40x24 image for a 32-pixel ViT. */
    public static void preprocessor(byte[] data) {
        Path file = write(fresh(), PreprocessorConfig.FILE_NAME, data);
        PixelImage image = new PixelImage("test.png", 40, 24, 3, new byte[40 * 24 * 3]);
        expected(() -> {
            PreprocessorConfig config = PreprocessorConfig.parse(file, Json.readObject(file), data.length % 2 == 0);
            ImagePreprocessor.prepare(image, config, VISION, false);
        });
    }

    /** An image file (PNG, JPEG, GIF, BMP, ...) decoded and preprocessed for a 32-pixel ViT. */
    public static void image(byte[] data) {
        Path file = write(fresh(), "image", data);
        PreprocessorConfig config = new PreprocessorConfig(PreprocessorConfig.Size.square(32),
                headwise.engine.image.Resample.BILINEAR, null, 1 / 255.0, new double[] {0.5}, new double[] {0.5});
        expected(() -> {
            PixelImage image = ImageFiles.read(file, 32);
            ImagePreprocessor.prepare(image, config, VISION, false);
        });
    }

    /** A llama2.c folder: the model .bin and its tokenizer .bin, loaded and the tokenizer used. */
    public static void llama2c(byte[] data) {
        List<byte[]> parts = Parts.split(data, 2);
        Path folder = fresh();
        write(folder, "model.bin", parts.get(0));
        if (parts.get(1).length > 0) {
            write(folder, "tokenizer.bin", parts.get(1));
        }
        expected(() -> {
            try (LoadedModel model = ModelLoader.load(folder.toString())) {
                if (model.hasTokenizer()) {
                    use(model.tokenizer());
                }
            }
        });
    }

    /** A .gguf file: its header and every tensor it can decode, then (when it names an architecture) as a model with its tokenizer. */
    public static void gguf(byte[] data) {
        Path file = write(fresh(), "model.gguf", data);
        boolean[] isModel = new boolean[1];
        expected(() -> {
            try (GgufFile gguf = GgufFile.open(file)) {
                for (GgufTensorInfo tensor : gguf.tensors().values()) {
                    if (tensor.type().decodable() && gguf.floats(tensor).length != tensor.elements()) {
                        throw new AssertionError(tensor + ": wrong number of values");
                    }
                }
                isModel[0] = gguf.metadata().has("general.architecture");
            }
        });
        if (isModel[0]) {
            expected(() -> {
                try (LoadedModel model = ModelLoader.load(file.toString())) {
                    if (model.hasTokenizer()) {
                        use(model.tokenizer());
                    }
                }
            });
        }
    }

    private static void readAll(TensorSource tensors) {
        for (String name : tensors.names()) {
            long[] shape = tensors.shape(name);
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            float[] values = tensors.floats(name);
            if (values.length != count) {
                throw new AssertionError(name + ": " + values.length + " values for shape of " + count);
            }
        }
    }

    private static void use(Tokenizer tokenizer) {
        TokenizedText encoded = tokenizer.encode(TEXT);
        if (encoded.ids().length != encoded.tokens().length || encoded.ids().length != encoded.offsets().length) {
            throw new AssertionError("ids, tokens and offsets differ in length");
        }
        tokenizer.decode(encoded.ids());
        tokenizer.tokensOf(encoded.ids());
    }

    /**
     * Runs {@code parse}; a HeadwiseException is the expected outcome of bad bytes, but only with a readable
     * one-line message. Everything else (other exceptions, errors) propagates.
     */
    static void expected(Runnable parse) {
        try {
            parse.run();
        } catch (HeadwiseException e) {
            if (STRICT.get()) {
                throw e;
            }
            String message = e.getMessage();
            if (message == null || message.isBlank() || message.contains("\n") || message.contains("\r")) {
                throw new AssertionError("HeadwiseException without a one-line message: " + message, e);
            }
        }
    }

    /** The scratch folder of this thread, emptied. */
    private static Path fresh() {
        Path dir = SCRATCH.get();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static Path write(Path folder, String name, byte[] bytes) {
        try {
            return Files.write(folder.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
