package headwise.engine.io.onnx;

import headwise.engine.HeadwiseException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal protobuf wire-format reader over a ByteBuffer, written for untrusted files: every length is
 * checked against the bytes left, varints are limited to 10 bytes, and any malformed input ends in a
 * {@link HeadwiseException} ("FILE: corrupt ONNX file: ... at byte N"), never an index or buffer exception.
 *
 * <p>Usage: {@code while (r.next()) switch (r.field()) { ... default -> r.skip(); }}. Each read method
 * consumes the value of the field that {@link #next()} just announced. Nested messages are read with
 * {@link #message()}, which returns a reader over exactly that message's bytes; nothing here recurses, so
 * deeply nested input cannot overflow the stack.
 */
public final class ProtoReader {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LEN = 2;
    public static final int FIXED32 = 5;

    /** Protobuf's largest field number (2^29 - 1). */
    private static final long MAX_FIELD = (1L << 29) - 1;

    private final Path file;
    private final ByteBuffer buffer;
    /** Absolute offset (in the file) of {@code buffer}'s index 0, for error messages. */
    private final long base;
    private int field;
    private int wireType = -1;

    /** A reader over {@code bytes} from its position to its limit; the caller's buffer is not moved. */
    public ProtoReader(Path file, ByteBuffer bytes) {
        this(file, bytes, 0);
    }

    private ProtoReader(Path file, ByteBuffer bytes, long base) {
        this.file = file;
        this.buffer = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
    }

    /** A new reader over this whole message from its start (this reader is not moved; safe to share). */
    public ProtoReader rewound() {
        ByteBuffer whole = buffer.duplicate();
        whole.position(0);
        return new ProtoReader(file, whole, base);
    }

    public Path file() {
        return file;
    }

    public boolean hasRemaining() {
        return buffer.hasRemaining();
    }

    public int remaining() {
        return buffer.remaining();
    }

    /** Absolute offset of the next byte to read, as counted from the start of the outermost buffer. */
    public long offset() {
        return base + buffer.position();
    }

    /** Reads the next tag; false at the end of this message. */
    public boolean next() {
        if (!buffer.hasRemaining()) {
            field = 0;
            wireType = -1;
            return false;
        }
        long start = offset();
        long tag = varint();
        if (tag < 0 || tag > 0xffffffffL) {
            throw corruptAt(start, "field tag " + Long.toUnsignedString(tag) + " is out of range");
        }
        long number = tag >>> 3;
        int type = (int) (tag & 7);
        if (number == 0 || number > MAX_FIELD) {
            throw corruptAt(start, "invalid field number " + number);
        }
        if (type == 3 || type == 4) {
            throw corruptAt(start, "field " + number + " uses protobuf groups (wire type " + type + "), which ONNX never does");
        }
        if (type != VARINT && type != FIXED64 && type != LEN && type != FIXED32) {
            throw corruptAt(start, "field " + number + " has invalid wire type " + type);
        }
        field = (int) number;
        wireType = type;
        return true;
    }

    /** The field number announced by the last {@link #next()}. */
    public int field() {
        return field;
    }

    /** The wire type announced by the last {@link #next()}. */
    public int wireType() {
        return wireType;
    }

    /** Throws unless the current field has {@code expected} wire type; {@code what} names the field. */
    public void expect(int expected, String what) {
        if (wireType != expected) {
            throw corrupt(what + " (field " + field + ") has wire type " + wireType + ", expected " + expected);
        }
    }

    /** A base-128 varint of at most 10 bytes, as an unsigned 64-bit value in a long. */
    public long varint() {
        long start = offset();
        long value = 0;
        for (int i = 0; i < 10; i++) {
            if (!buffer.hasRemaining()) {
                throw corruptAt(start, "truncated varint (file ends inside a number)");
            }
            int b = buffer.get() & 0xff;
            if (i == 9) {
                if ((b & 0x80) != 0) {
                    throw corruptAt(start, "varint longer than 10 bytes");
                }
                if (b > 1) {
                    throw corruptAt(start, "varint overflows 64 bits");
                }
            }
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw corruptAt(start, "varint longer than 10 bytes"); // unreachable: i == 9 returns or throws
    }

    /** A varint that must fit a non-negative int (enum values, int32 fields such as data_type). */
    public int int32(String what) {
        long start = offset();
        long v = varint();
        // int32 fields are sign-extended to 64 bits on the wire; negative values are never valid here
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw corruptAt(start, what + " has out-of-range value " + v);
        }
        return (int) v;
    }

    public long fixed64() {
        need(8, "64-bit value");
        return buffer.getLong();
    }

    public int fixed32() {
        need(4, "32-bit value");
        return buffer.getInt();
    }

    /** A length-delimited value as a read-only little-endian slice (no copy); the reader moves past it. */
    public ByteBuffer bytes() {
        int length = length();
        ByteBuffer slice = buffer.slice(buffer.position(), length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(buffer.position() + length);
        return slice;
    }

    /** A length-delimited value, read as a nested message. */
    public ProtoReader message() {
        int length = length();
        ProtoReader nested = new ProtoReader(file, buffer.slice(buffer.position(), length), offset());
        buffer.position(buffer.position() + length);
        return nested;
    }

    /** A length-delimited UTF-8 string (malformed UTF-8 is replaced, as proto2 does not validate it). */
    public String string() {
        int length = length();
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Skips the current field's value, whatever its wire type. */
    public void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> {
                need(8, "64-bit value");
                buffer.position(buffer.position() + 8);
            }
            case FIXED32 -> {
                need(4, "32-bit value");
                buffer.position(buffer.position() + 4);
            }
            case LEN -> {
                int length = length();
                buffer.position(buffer.position() + length);
            }
            default -> throw new IllegalStateException("skip() without a current field");
        }
    }

    /** A "FILE: corrupt ONNX file: problem at byte N" exception at the current position. */
    public HeadwiseException corrupt(String problem) {
        return corruptAt(offset(), problem);
    }

    private HeadwiseException corruptAt(long at, String problem) {
        return HeadwiseException.inFile(file, "corrupt ONNX file: " + problem + " at byte " + at);
    }

    /** Reads a length prefix and checks it against the bytes left. */
    private int length() {
        long start = offset();
        long length = varint();
        if (length < 0) {
            throw corruptAt(start, "negative length " + length);
        }
        if (length > buffer.remaining()) {
            throw corruptAt(start, "length " + length + " runs past the end of its message (" + buffer.remaining()
                    + " bytes left; truncated file?)");
        }
        return (int) length;
    }

    private void need(int n, String what) {
        if (buffer.remaining() < n) {
            throw corrupt("truncated " + what + " (" + buffer.remaining() + " of " + n + " bytes left)");
        }
    }
}
