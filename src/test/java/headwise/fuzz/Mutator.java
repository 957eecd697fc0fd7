package headwise.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * A seeded, structure-blind mutator for the in-suite fuzz loop (no coverage feedback: Jazzer does that in the long
 * run). Besides bit flips and chunk edits it knows the two things our parsers read sizes from: little-endian
 * integers (safetensors header length, llama2.c header, protobuf varints) and decimal numbers in JSON text, and
 * replaces them with lying values (0, -1, 2^31, 2^63, ...).
 */
final class Mutator {

    private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 16, 255, 256, 0x7f, 0x80, 0xffff, 0x10000, 0x7fffffffL,
        0x80000000L, 0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 1L << 20, 1L << 30, 65536 * 65536L - 1};
    private static final String[] NUMBERS = {"0", "-1", "1", "2", "3", "7", "1e308", "-0", "0.5", "2147483647", "2147483648",
        "-2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "99999999999999999999999999", "1e9", "100000", "65536", "NaN", "Infinity", "1E400", "0x10", "\"7\""};
    private static final String[] TOKENS = {"{", "}", "[", "]", "\"", ",", ":", "null", "true", "false", "{}", "[]",
        "\"\"", "\\u0000", "\\", "[[[[[[[[", "{\"a\":", "\"shape\":[", "\"dtype\":\"F32\"", "\"data_offsets\":[0,",
        "\"weight_map\":{", "\"model_type\":\"", "\"size\":", "\"type\":\""};

    private final Random random;

    Mutator(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    /** One to four stacked mutations of {@code input}; {@code others} are the target's seeds, for splicing. */
    byte[] mutate(byte[] input, List<byte[]> others) {
        byte[] out = input;
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            out = once(out, others);
        }
        return out;
    }

    private byte[] once(byte[] in, List<byte[]> others) {
        if (in.length == 0) {
            return randomBytes(1 + random.nextInt(16));
        }
        switch (random.nextInt(12)) {
            case 0 -> {
                byte[] out = in.clone();
                int at = random.nextInt(out.length);
                out[at] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1 -> {
                byte[] out = in.clone();
                out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                return out;
            }
            case 2 -> {
                return integer(in);
            }
            case 3, 4 -> {
                return number(in);
            }
            case 5 -> {
                return token(in);
            }
            case 6 -> { // delete a chunk
                int from = random.nextInt(in.length);
                int length = 1 + random.nextInt(Math.min(64, in.length - from));
                return cat(slice(in, 0, from), slice(in, from + length, in.length));
            }
            case 7 -> { // duplicate a chunk
                int from = random.nextInt(in.length);
                int length = 1 + random.nextInt(Math.min(64, in.length - from));
                int to = random.nextInt(in.length + 1);
                return cat(slice(in, 0, to), slice(in, from, from + length), slice(in, to, in.length));
            }
            case 8 -> { // truncate
                return slice(in, 0, random.nextInt(in.length));
            }
            case 9 -> { // insert random bytes
                int at = random.nextInt(in.length + 1);
                return cat(slice(in, 0, at), randomBytes(1 + random.nextInt(8)), slice(in, at, in.length));
            }
            case 10 -> { // splice with another seed
                byte[] other = others.get(random.nextInt(others.size()));
                int cut = random.nextInt(in.length + 1);
                int otherCut = random.nextInt(other.length + 1);
                return cat(slice(in, 0, cut), slice(other, otherCut, other.length));
            }
            default -> { // overwrite a range with a copy of another range (shifts structure)
                byte[] out = in.clone();
                int from = random.nextInt(out.length);
                int to = random.nextInt(out.length);
                int length = Math.min(1 + random.nextInt(16), Math.min(out.length - from, out.length - to));
                System.arraycopy(in, from, out, to, length);
                return out;
            }
        }
    }

    /** An interesting integer written over 1, 2, 4 or 8 bytes, little- or big-endian. */
    private byte[] integer(byte[] in) {
        byte[] out = in.clone();
        int width = 1 << random.nextInt(4);
        if (width > out.length) {
            width = 1;
        }
        long value = random.nextInt(4) == 0 ? out.length + random.nextInt(17) - 8 : INTERESTING[random.nextInt(INTERESTING.length)];
        int at = random.nextInt(out.length - width + 1);
        boolean little = random.nextBoolean();
        for (int i = 0; i < width; i++) {
            int shift = 8 * (little ? i : width - 1 - i);
            out[at + i] = (byte) (value >>> shift);
        }
        return out;
    }

    /** A run of ASCII digits replaced by a lying decimal. */
    private byte[] number(byte[] in) {
        int start = random.nextInt(in.length);
        while (start < in.length && !Character.isDigit(in[start])) {
            start++;
        }
        if (start == in.length) {
            return integer(in);
        }
        int end = start;
        while (end < in.length && (Character.isDigit(in[end]) || in[end] == '.' || in[end] == 'e' || in[end] == '-')) {
            end++;
        }
        byte[] number = NUMBERS[random.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        return cat(slice(in, 0, start), number, slice(in, end, in.length));
    }

    private byte[] token(byte[] in) {
        int at = random.nextInt(in.length + 1);
        byte[] token = TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.US_ASCII);
        return cat(slice(in, 0, at), token, slice(in, at, in.length));
    }

    private byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }

    private static byte[] slice(byte[] in, int from, int to) {
        return java.util.Arrays.copyOfRange(in, from, to);
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
