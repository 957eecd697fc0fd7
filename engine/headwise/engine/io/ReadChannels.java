package headwise.engine.io;

import headwise.engine.HeadwiseException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/** Checkpoint files kept open for reading (safetensors, GGUF): opened with one-line errors, closed quietly. */
public final class ReadChannels {

    private ReadChannels() {
    }

    /**
     * Opens {@code file} and hands the channel to {@code parse}, which keeps it open in what it returns; the channel is
     * closed again when parsing fails, so a bad file leaks no descriptor.
     */
    public static <T> T openAndParse(Path file, Function<FileChannel, T> parse) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw HeadwiseException.inFile(file, "file not found");
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot open: " + e.getMessage());
        }
        try {
            return parse.apply(channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }
}
