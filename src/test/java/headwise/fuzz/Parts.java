package headwise.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several files in one fuzz input: the files' bytes joined by {@link #SEPARATOR}. Fuzzers mutate the whole
 * input, so a file can grow, shrink or vanish (a missing part is an empty file).
 */
public final class Parts {

    public static final byte[] SEPARATOR = "\0HW-PART\0".getBytes(StandardCharsets.ISO_8859_1);

    private Parts() {
    }

    /** Exactly {@code count} parts: missing ones are empty, extra separators stay in the last part. */
    public static List<byte[]> split(byte[] data, int count) {
        List<byte[]> parts = new ArrayList<>(count);
        int start = 0;
        while (parts.size() < count - 1) {
            int at = indexOf(data, start);
            if (at < 0) {
                break;
            }
            parts.add(Arrays.copyOfRange(data, start, at));
            start = at + SEPARATOR.length;
        }
        parts.add(Arrays.copyOfRange(data, Math.min(start, data.length), data.length));
        while (parts.size() < count) {
            parts.add(new byte[0]);
        }
        return parts;
    }

    private static int indexOf(byte[] data, int from) {
        outer:
        for (int i = from; i <= data.length - SEPARATOR.length; i++) {
            for (int j = 0; j < SEPARATOR.length; j++) {
                if (data[i + j] != SEPARATOR[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
