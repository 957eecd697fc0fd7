package headwise.engine;

import java.nio.file.Path;

/**
 * A problem the user can act on: a bad file, a bad input, an unsupported model.
 * The message is one line that names the file (when there is one) and the problem: control characters that
 * a hostile file may smuggle into it (in a tensor name, a dtype) are escaped, so it always stays one line.
 */
public class HeadwiseException extends RuntimeException {

    /** Strings taken from a file are cut to this many characters in messages. */
    static final int MAX_QUOTED = 200;

    public HeadwiseException(String message) {
        super(oneLine(message));
    }

    public HeadwiseException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** A string read from a file, for a message: in single quotes, control characters escaped, cut short if very long. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder("'");
        int limit = Math.min(text.length(), MAX_QUOTED);
        out.append(text, 0, limit);
        if (text.length() > limit) {
            out.append("…");
        }
        return oneLine(out.append('\'').toString());
    }

    /** Control characters (newlines included) as \\uXXXX escapes. */
    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029;
            if (control && out == null) {
                out = new StringBuilder(message.length() + 16).append(message, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? message : out.toString();
    }

    /** "FILE: problem", with the file's name as the user gave it. */
    public static HeadwiseException inFile(Path file, String problem) {
        return new HeadwiseException(file + ": " + problem);
    }

    public static HeadwiseException inFile(Path file, String problem, Throwable cause) {
        return new HeadwiseException(file + ": " + problem, cause);
    }
}
