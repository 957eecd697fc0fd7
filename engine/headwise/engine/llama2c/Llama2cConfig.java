package headwise.engine.llama2c;

import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The 28-byte header of a llama2.c checkpoint (run.c's Config): seven little-endian int32s.
 * A negative vocab_size in the file means the classifier is stored separately (not shared with the embedding).
 *
 * @param vocabSize always positive here; {@code sharedClassifier} keeps the sign's meaning
 */
public record Llama2cConfig(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize,
                            boolean sharedClassifier, int seqLen) {

    public static final int HEADER_BYTES = 28;

    // Bounds well above any llama2.c export (Llama 2 70B: dim 8192, hidden 28672, 80 layers, 64 heads),
    // low enough that the size arithmetic below cannot overflow a long.
    private static final int MAX_DIM = 1 << 16;
    private static final int MAX_HIDDEN = 1 << 18;
    private static final int MAX_LAYERS = 1 << 10;
    private static final int MAX_HEADS = 1 << 10;
    private static final int MAX_VOCAB = 1 << 20;
    private static final int MAX_SEQ_LEN = 1 << 20;

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Float32 values in the file after the header, in run.c's memory_map_weights order. */
    public long expectedFloats() {
        long d = dim;
        long l = layers;
        long floats = vocabSize * d                 // token_embedding
                + l * d                             // rms_att
                + l * d * d                         // wq
                + 2 * l * d * kvDim()               // wk, wv
                + l * d * d                         // wo
                + l * d                             // rms_ffn
                + 3 * l * d * hiddenDim             // w1, w2, w3
                + d                                 // rms_final
                + (long) seqLen * headSize();       // legacy freq_cis_real + freq_cis_imag, seq_len·head_size/2 each
        return sharedClassifier ? floats : floats + vocabSize * d;
    }

    public long expectedBytes() {
        return HEADER_BYTES + 4 * expectedFloats();
    }

    /** Reads and validates the header of {@code file}; one-line errors name the file. */
    public static Llama2cConfig read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                throw HeadwiseException.inFile(file, "not a llama2.c checkpoint: " + size + " bytes, shorter than the 28-byte header");
            }
            int[] h = readInts(channel);
            Llama2cConfig config = fromHeader(file, h);
            if (size != config.expectedBytes()) {
                throw HeadwiseException.inFile(file, "llama2.c checkpoint is " + size + " bytes but its header "
                        + describe(h) + " implies " + config.expectedBytes() + " bytes"
                        + (size < config.expectedBytes() ? " (truncated?)" : ""));
            }
            return config;
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    /** True when the first 28 bytes of {@code file} are a plausible header (the size is not checked). */
    public static boolean hasPlausibleHeader(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < HEADER_BYTES) {
                return false;
            }
            fromHeader(file, readInts(channel));
            return true;
        } catch (IOException | HeadwiseException e) {
            return false;
        }
    }

    /** Plausible and exactly the size the header implies. */
    public static boolean isCheckpoint(Path file) {
        try {
            read(file);
            return true;
        } catch (HeadwiseException e) {
            return false;
        }
    }

    static Llama2cConfig fromHeader(Path file, int[] h) {
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = h[5], seqLen = h[6];
        String problem = null;
        if (!within(dim, MAX_DIM) || !within(hidden, MAX_HIDDEN) || !within(layers, MAX_LAYERS) || !within(heads, MAX_HEADS)
                || !within(kvHeads, MAX_HEADS) || vocab == 0 || vocab == Integer.MIN_VALUE || Math.abs(vocab) > MAX_VOCAB
                || !within(seqLen, MAX_SEQ_LEN)) {
            problem = "sizes out of range";
        } else if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            problem = "dim must be a multiple of n_heads with an even head size";
        } else if (heads % kvHeads != 0) {
            problem = "n_heads must be a multiple of n_kv_heads";
        }
        if (problem != null) {
            throw HeadwiseException.inFile(file, "not a llama2.c checkpoint: header " + describe(h) + ": " + problem);
        }
        return new Llama2cConfig(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), vocab > 0, seqLen);
    }

    private static boolean within(int value, int max) {
        return value > 0 && value <= max;
    }

    private static int[] readInts(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                throw new IOException("ended inside the header");
            }
        }
        buffer.flip();
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = buffer.getInt();
        }
        return h;
    }

    private static String describe(int[] h) {
        return "(dim " + h[0] + ", hidden_dim " + h[1] + ", n_layers " + h[2] + ", n_heads " + h[3] + ", n_kv_heads " + h[4]
                + ", vocab_size " + h[5] + ", seq_len " + h[6] + ")";
    }
}
