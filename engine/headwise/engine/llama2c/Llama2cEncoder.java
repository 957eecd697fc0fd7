package headwise.engine.llama2c;

import headwise.engine.HeadwiseException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * run.c's {@code encode}, step by step: optional BOS; the dummy-prefix piece " " when the text is not empty;
 * each UTF-8 code point's piece, or its bytes as &lt;0xNN&gt; tokens (id byte+3) when it has none; then, while
 * any adjacent pair concatenates to a piece, merge the pair whose piece scores highest (the first such pair on
 * ties); optional EOS. Byte spans are tracked alongside for the offsets.
 */
final class Llama2cEncoder {

    /** @param byteStart [start, end) of each token in the text's UTF-8 bytes */
    record Encoding(int[] ids, int[] byteStart, int[] byteEnd, int[] charOfByte, int[] charAfterByte) {

        /** [start, end) in UTF-16 characters; a token that covers part of a character gets all of it. */
        int[][] charOffsets(String text) {
            int[][] offsets = new int[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                int start = byteStart[i];
                int end = byteEnd[i];
                if (start == end) { // BOS, EOS, the dummy prefix alone: an empty span where they stand
                    int at = start < charOfByte.length ? charOfByte[start] : text.length();
                    offsets[i] = new int[] {at, at};
                } else {
                    offsets[i] = new int[] {charOfByte[start], charAfterByte[end - 1]};
                }
            }
            return offsets;
        }
    }

    private final byte[][] pieces;
    private final float[] scores;
    private final Map<String, Integer> lookup;
    private final Path file;

    Llama2cEncoder(byte[][] pieces, float[] scores, Map<String, Integer> lookup, Path file) {
        this.pieces = pieces;
        this.scores = scores;
        this.lookup = lookup;
        this.file = file;
    }

    Encoding encode(String text, boolean bos, boolean eos) {
        Utf8 utf8 = Utf8.of(text);
        byte[] bytes = utf8.bytes;
        int n = bytes.length;
        // worst case: BOS, prefix, one token per byte, EOS
        int[] ids = new int[n + 3];
        int[] start = new int[n + 3];
        int[] end = new int[n + 3];
        int count = 0;
        if (bos) {
            ids[count++] = Llama2cTokenizer.BOS;
        }
        if (n > 0) {
            Integer prefix = lookup.get(" ");
            if (prefix != null) { // run.c assumes the vocabulary has " "
                ids[count++] = prefix;
            }
        }
        int length = 0;
        for (int i = 0; i < n; i++) {
            if ((bytes[i] & 0xC0) != 0x80) {
                length = 0; // a code point starts here
            }
            length++;
            int next = i + 1 < n ? bytes[i + 1] : 0;
            if ((next & 0xC0) == 0x80 && length < 4) {
                continue; // the code point goes on
            }
            int from = i - length + 1;
            Integer id = lookup.get(Llama2cTokenizer.key(Arrays.copyOfRange(bytes, from, i + 1)));
            if (id != null) {
                ids[count] = id;
                start[count] = from;
                end[count++] = i + 1;
            } else {
                for (int b = from; b <= i; b++) {
                    ids[count] = byteToken(bytes[b]);
                    start[count] = b;
                    end[count++] = b + 1;
                }
            }
            length = 0;
        }
        count = mergeAll(ids, start, end, count);
        if (eos) {
            ids[count] = Llama2cTokenizer.EOS;
            start[count] = n;
            end[count++] = n;
        }
        return new Encoding(Arrays.copyOf(ids, count), Arrays.copyOf(start, count), Arrays.copyOf(end, count),
                utf8.charOfByte, utf8.charAfterByte);
    }

    /**
     * run.c's merge loop. Each pair's merged piece is cached and only the two pairs next to a merge are looked up
     * again, which gives the same merges as re-scanning every pair each round.
     */
    private int mergeAll(int[] ids, int[] start, int[] end, int count) {
        int[] pair = new int[Math.max(count - 1, 0)];
        for (int i = 0; i + 1 < count; i++) {
            pair[i] = merged(ids[i], ids[i + 1]);
        }
        while (true) {
            float bestScore = -1e10f;
            int bestIndex = -1;
            for (int i = 0; i + 1 < count; i++) {
                if (pair[i] >= 0 && scores[pair[i]] > bestScore) {
                    bestScore = scores[pair[i]];
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                return count;
            }
            ids[bestIndex] = pair[bestIndex];
            end[bestIndex] = end[bestIndex + 1];
            int tail = count - bestIndex - 2;
            System.arraycopy(ids, bestIndex + 2, ids, bestIndex + 1, tail);
            System.arraycopy(start, bestIndex + 2, start, bestIndex + 1, tail);
            System.arraycopy(end, bestIndex + 2, end, bestIndex + 1, tail);
            System.arraycopy(pair, bestIndex + 2, pair, bestIndex + 1, Math.max(tail - 1, 0));
            count--;
            if (bestIndex > 0) {
                pair[bestIndex - 1] = merged(ids[bestIndex - 1], ids[bestIndex]);
            }
            if (bestIndex + 1 < count) {
                pair[bestIndex] = merged(ids[bestIndex], ids[bestIndex + 1]);
            }
        }
    }

    /** The id of the piece a+b, or −1. */
    private int merged(int a, int b) {
        byte[] joined = Arrays.copyOf(pieces[a], pieces[a].length + pieces[b].length);
        System.arraycopy(pieces[b], 0, joined, pieces[a].length, pieces[b].length);
        Integer id = lookup.get(Llama2cTokenizer.key(joined));
        return id == null ? -1 : id;
    }

    private int byteToken(byte b) {
        int id = (b & 0xFF) + Llama2cTokenizer.BYTE_OFFSET;
        if (id >= pieces.length) {
            throw HeadwiseException.inFile(file, "cannot encode byte 0x" + Integer.toHexString(b & 0xFF)
                    + ": the vocabulary has no byte-fallback tokens");
        }
        return id;
    }

    /** The text's UTF-8 bytes (as Java writes them: a lone surrogate becomes '?') and, per byte, its character span. */
    private record Utf8(byte[] bytes, int[] charOfByte, int[] charAfterByte) {

        static Utf8 of(String text) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 2);
            int[] charOf = new int[text.length() * 3 + 1];
            int[] charAfter = new int[text.length() * 3 + 1];
            int size = 0;
            for (int c = 0; c < text.length(); ) {
                int codePoint = text.codePointAt(c);
                int chars = Character.charCount(codePoint);
                byte[] encoded = text.substring(c, c + chars).getBytes(StandardCharsets.UTF_8);
                out.writeBytes(encoded);
                for (int k = 0; k < encoded.length; k++) {
                    charOf[size] = c;
                    charAfter[size++] = c + chars;
                }
                c += chars;
            }
            return new Utf8(out.toByteArray(), Arrays.copyOf(charOf, size), Arrays.copyOf(charAfter, size));
        }
    }
}
