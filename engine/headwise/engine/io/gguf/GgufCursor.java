package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a GGUF header front to back through a small window over the file. Every read first checks that the bytes
 * are there, so a length taken from the file can never make it read (or allocate) past the file's end.
 */
final class GgufCursor {

    private static final int WINDOW = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
    private long windowStart;
    private long position;

    GgufCursor(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        window.limit(0);
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    HeadwiseException error(String problem) {
        return HeadwiseException.inFile(file, "corrupt GGUF: " + problem);
    }

    /** A problem with a valid but unusable file. */
    HeadwiseException problem(String problem) {
        return HeadwiseException.inFile(file, problem);
    }

    /** Fails unless {@code bytes} more bytes follow; {@code what} names what would have been read. */
    void require(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw error(what + " at byte " + position + " runs past the end of the file (" + size + " bytes; truncated?)");
        }
    }

    int u8(String what) {
        return window(1, what).get() & 0xff;
    }

    int i32(String what) {
        return window(4, what).getInt();
    }

    /** An unsigned 32-bit value. */
    long u32(String what) {
        return window(4, what).getInt() & 0xffffffffL;
    }

    /** A 64-bit value; an unsigned one too large for a long is reported as a lie. */
    long u64(String what) {
        long v = window(8, what).getLong();
        if (v < 0) {
            throw error(what + " at byte " + (position - 8) + " is " + Long.toUnsignedString(v) + ", impossibly large");
        }
        return v;
    }

    long i64(String what) {
        return window(8, what).getLong();
    }

    short i16(String what) {
        return window(2, what).getShort();
    }

    float f32(String what) {
        return window(4, what).getFloat();
    }

    double f64(String what) {
        return window(8, what).getDouble();
    }

    /** A u64 length then that many bytes of UTF-8 (a GGUF string). */
    String string(String what) {
        long length = u64(what + " length");
        require(length, what + " of " + length + " bytes");
        byte[] bytes = new byte[(int) Math.min(length, Integer.MAX_VALUE)];
        if (length > bytes.length) {
            throw error(what + " of " + length + " bytes is too long");
        }
        int filled = 0;
        while (filled < bytes.length) {
            ByteBuffer w = window(1, what);
            int n = Math.min(w.remaining(), bytes.length - filled);
            w.get(bytes, filled, n);
            position += n - 1; // window() already counted one byte
            filled += n;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error(what + " ending at byte " + position + " is not UTF-8");
        }
    }

    /** Moves to {@code target} (≥ the current position, within the file). */
    void skipTo(long target, String what) {
        require(target - position, what);
        position = target;
    }

    /** The window positioned at the cursor with at least {@code n} (≤ 8, or 1 for bulk reads) bytes; advances by n. */
    private ByteBuffer window(int n, String what) {
        require(n, what);
        long offset = position - windowStart;
        if (offset < 0 || offset + n > window.limit()) {
            refill();
            offset = 0;
        }
        window.position((int) offset);
        position += n;
        return window;
    }

    private void refill() {
        window.clear();
        windowStart = position;
        try {
            while (window.hasRemaining()) {
                int read = channel.read(window, windowStart + window.position());
                if (read < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        window.flip();
    }
}
