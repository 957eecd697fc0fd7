package headwise.engine.llama2c;

import headwise.engine.HeadwiseException;
import headwise.engine.tokenize.TokenizedText;
import headwise.engine.tokenize.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * llama2.c's tokenizer .bin (int32 max_token_length, then per token: float32 score, int32 length, bytes),
 * encoding and decoding exactly as run.c's {@code encode} and {@code decode} do.
 *
 * <p>Offsets: each token's [start, end) in UTF-16 characters of the text. The dummy-prefix space that run.c
 * puts before the text covers no character ([0, 0] alone, or [0, end] once merged with the first word); BOS is
 * [0, 0]; a byte-fallback token inside a multi-byte character gets the whole character's span.
 */
public final class Llama2cTokenizer implements Tokenizer {

    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    /** run.c maps a byte b that has no piece to id b + 3 (sentencepiece's &lt;0x00&gt;…&lt;0xFF&gt; come right after the control tokens). */
    static final int BYTE_OFFSET = 3;

    private static final long MAX_FILE_BYTES = 256L << 20;
    private static final int MAX_TOKEN_LENGTH = 1 << 12;

    private final Path file;
    private final byte[][] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();

    private Llama2cTokenizer(Path file, byte[][] pieces, float[] scores) {
        this.file = file;
        this.pieces = pieces;
        this.scores = scores;
        for (int id = 0; id < pieces.length; id++) {
            ids.putIfAbsent(key(pieces[id]), id); // a duplicated piece resolves to its first id
        }
    }

    /**
     * Reads {@code file}, which must hold exactly {@code vocabSize} tokens (the model's vocab_size: the file does not
     * say how many it has) and nothing after them.
     */
    public static Llama2cTokenizer read(Path file, int vocabSize) {
        byte[] data;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw HeadwiseException.inFile(file, "too large for a llama2.c tokenizer (" + size + " bytes)");
            }
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) {
            throw HeadwiseException.inFile(file, "not a llama2.c tokenizer: " + data.length + " bytes");
        }
        int maxTokenLength = in.getInt();
        if (maxTokenLength <= 0 || maxTokenLength > MAX_TOKEN_LENGTH) {
            throw HeadwiseException.inFile(file, "not a llama2.c tokenizer: max_token_length " + maxTokenLength);
        }
        if (vocabSize <= 0 || (long) vocabSize * 8 > in.remaining()) { // each token takes at least its score and length
            throw HeadwiseException.inFile(file, "llama2.c tokenizer of " + data.length + " bytes is too short for " + vocabSize
                    + " tokens (truncated, or not this model's tokenizer?)");
        }
        byte[][] pieces = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            if (in.remaining() < 8) {
                throw HeadwiseException.inFile(file, "llama2.c tokenizer ends at token " + id + " of " + vocabSize + " (truncated?)");
            }
            scores[id] = in.getFloat();
            int length = in.getInt();
            if (Float.isNaN(scores[id]) || length < 0 || length > maxTokenLength) {
                throw HeadwiseException.inFile(file, "not a llama2.c tokenizer: token " + id + " has "
                        + (Float.isNaN(scores[id]) ? "score NaN" : "length " + length + " (max_token_length " + maxTokenLength + ")"));
            }
            if (in.remaining() < length) {
                throw HeadwiseException.inFile(file, "llama2.c tokenizer ends inside token " + id + " of " + vocabSize + " (truncated?)");
            }
            pieces[id] = new byte[length];
            in.get(pieces[id]);
        }
        if (in.hasRemaining()) {
            throw HeadwiseException.inFile(file, "llama2.c tokenizer has " + in.remaining() + " bytes after its " + vocabSize
                    + " tokens: it does not belong to a model with vocab_size " + vocabSize);
        }
        return new Llama2cTokenizer(file, pieces, scores);
    }

    public Path file() {
        return file;
    }

    public int vocabSize() {
        return pieces.length;
    }

    public float score(int id) {
        return scores[id];
    }

    /** With BOS, like run.c's encode(text, bos=1, eos=0). */
    @Override
    public TokenizedText encode(String text) {
        Llama2cEncoder.Encoding encoding = encoder().encode(text, true, false);
        int[] ids = encoding.ids();
        return new TokenizedText(text, ids, tokensOf(ids), encoding.charOffsets(text));
    }

    /** run.c's encode: ids only. */
    public int[] encode(String text, boolean bos, boolean eos) {
        return encoder().encode(text, bos, eos).ids();
    }

    private Llama2cEncoder encoder() {
        return new Llama2cEncoder(pieces, scores, ids, file);
    }

    /**
     * run.c's decode, piece after piece: a leading space is dropped from a piece that follows BOS, and
     * {@code <0xNN>} pieces are raw bytes; the bytes are then read as UTF-8. BOS and EOS give no text.
     * (run.c's safe_printf also drops lone non-printable bytes; here bytes that make valid UTF-8 are kept.)
     */
    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int id : tokens) {
            checkId(id);
            if (id != BOS && id != EOS) {
                byte[] piece = pieces[id];
                int rawByte = rawByte(piece);
                if (rawByte >= 0) {
                    out.write(rawByte);
                } else {
                    int skip = previous == BOS && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
                    out.write(piece, skip, piece.length - skip);
                }
            }
            previous = id;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Each id's piece as text; control tokens without their newlines ("&lt;s&gt;", "&lt;/s&gt;"). */
    @Override
    public String[] tokensOf(int[] tokens) {
        String[] out = new String[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            checkId(tokens[i]);
            String piece = new String(pieces[tokens[i]], StandardCharsets.UTF_8);
            out[i] = tokens[i] <= EOS ? piece.strip() : piece;
        }
        return out;
    }

    @Override
    public void close() {
        // on-heap only
    }

    /** The byte a piece spelled exactly "&lt;0xNN&gt;" stands for, or −1. */
    static int rawByte(byte[] piece) {
        if (piece.length != 6 || piece[0] != '<' || piece[1] != '0' || piece[2] != 'x' || piece[5] != '>') {
            return -1;
        }
        int high = Character.digit(piece[3], 16);
        int low = Character.digit(piece[4], 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    /** Bytes as a map key: ISO-8859-1 maps every byte to one char and back, losslessly. */
    static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw HeadwiseException.inFile(file, "token id " + id + " is outside the vocabulary (0.." + (pieces.length - 1) + ")");
        }
    }
}
