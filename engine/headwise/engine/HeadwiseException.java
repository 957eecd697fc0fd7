package headwise.engine;

import java.nio.file.Path;

/**
 * A problem the user can act on: a bad file, a bad input, an unsupported model.
 * The message is one line that names the file (when there is one) and the problem.
 */
public class HeadwiseException extends RuntimeException {

    public HeadwiseException(String message) {
        super(message);
    }

    public HeadwiseException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: problem", with the file's name as the user gave it. */
    public static HeadwiseException inFile(Path file, String problem) {
        return new HeadwiseException(file + ": " + problem);
    }

    public static HeadwiseException inFile(Path file, String problem, Throwable cause) {
        return new HeadwiseException(file + ": " + problem, cause);
    }
}
