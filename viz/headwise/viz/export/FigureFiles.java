package headwise.viz.export;

import headwise.viz.Figure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a figure to a file in one of the {@link FigureFormat}s. */
public final class FigureFiles {

    private FigureFiles() {
    }

    /**
     * @param scale PNG only: pixels per figure unit (2 for high-density screens); the PNG records 72·scale dpi.
     *              SVG and PDF are vector and ignore it.
     * @param title PDF only: the document title, or null
     */
    public static byte[] bytes(Figure figure, FigureFormat format, double scale, String title) {
        return switch (format) {
            case PNG -> PngExport.bytes(figure, scale);
            case SVG -> SvgExport.bytes(figure);
            case PDF -> PdfExport.bytes(figure, title);
        };
    }

    /** Writes the figure, creating missing parent folders. */
    public static void write(Figure figure, FigureFormat format, double scale, String title, Path file) {
        byte[] bytes = bytes(figure, format, scale, title);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
