package headwise.app.export;

import headwise.app.session.Session;

import com.google.gson.GsonBuilder;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.MetricsReport;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.ModelInput;
import headwise.viz.Figure;
import headwise.viz.export.FigureFiles;
import headwise.viz.export.FigureFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports for the app and the CLI, JavaFX-free. Figures: {@link #exportView} writes one {@link ViewKind} of a
 * {@link Session} as PNG, SVG or PDF ({@link #figure} gives the drawing itself, e.g. for an FXGraphics2D canvas).
 * Data: {@link #exportData} writes attention (.npy/.npz), output, metrics (.json, .csv), tokens (.csv, .json) or
 * the flow graph (.json, .graphml). {@link #exportAll} writes every view in all three formats and every data file
 * to a folder with an index.html. All outputs are deterministic: the same session gives the same bytes.
 * <p>
 * Typical app use, off the FX thread:
 * <pre>{@code
 * Session s = new Session(Results.of(result).withMetrics(metrics), Selection.defaults().withHead(layer, head));
 * Exporter.exportView(ViewKind.HEATMAP, s, FigureFormat.SVG, file);
 * Exporter.exportAll(s, folder, 2);
 * }</pre>
 * Errors the user can act on (a view the session cannot draw, a wrong extension) are {@link HeadwiseException}s.
 */
public final class Exporter {

    /** Figures and data of {@link #exportAll}, relative to its folder. */
    public static final String FIGURES = "figures";
    public static final String DATA = "data";

    private Exporter() {
    }

    /** Why {@code view} cannot be drawn for {@code session}, or null when it can. */
    public static String unavailable(ViewKind view, Session session) {
        return ViewFigures.unavailable(view, session);
    }

    /** The drawing of {@code view}, to paint on any Graphics2D at its own size ({@link Figure#drawFitted} scales it). */
    public static Figure figure(ViewKind view, Session session) {
        return ViewFigures.figure(view, session);
    }

    /** Writes {@code view} at PNG scale 1. */
    public static void exportView(ViewKind view, Session session, FigureFormat format, Path file) {
        exportView(view, session, format, 1, file);
    }

    /** @param pngScale PNG pixels per figure unit (the PNG records 72·scale dpi); SVG and PDF ignore it */
    public static void exportView(ViewKind view, Session session, FigureFormat format, double pngScale, Path file) {
        writeFigure(figure(view, session), view, format, pngScale, file);
    }

    private static void writeFigure(Figure figure, ViewKind view, FigureFormat format, double pngScale, Path file) {
        writeFigure(figure, view.title(), format, pngScale, file);
    }

    /** Writes a figure drawn elsewhere (a vision-language view, a page's own: probing, corpus, atlas); a file that cannot be written is a one-line error. */
    public static void writeFigure(Figure figure, String title, FigureFormat format, double pngScale, Path file) {
        try {
            FigureFiles.write(figure, format, pngScale, title, file);
        } catch (UncheckedIOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getCause().getMessage());
        }
    }

    /** Writes one kind of data; the format comes from the file's extension (else the kind's default). */
    public static void exportData(DataKind kind, Session session, Path file) {
        exportData(kind, session, null, null, null, file);
    }

    /**
     * @param format  a format of {@code kind} ("npz"), or null for the file's extension
     * @param layers  attention only: the layers to keep, or null for all
     * @param heads   attention only: the heads to keep, or null for all
     */
    public static void exportData(DataKind kind, Session session, String format, int[] layers, int[] heads, Path file) {
        String f = kind.format(format, file.getFileName().toString());
        AnalysisResult r = session.result();
        byte[] bytes = switch (kind) {
            case ATTENTION -> {
                int[] l = selection(layers, r.attention().layers(), "layer");
                int[] h = selection(heads, r.attention().heads(), "head");
                yield f.equals("npz") ? AttentionData.npz(r.attention(), l, h) : AttentionData.npy(r.attention(), l, h);
            }
            case OUTPUT -> NpyBytes.float32(r.output().shape(), r.output().values());
            case METRICS -> {
                if (session.metrics() == null) {
                    throw new HeadwiseException("this session has no metrics computed");
                }
                MetricsReport.write(file, session.metrics()); // exactly as analyze --metrics writes it
                yield null;
            }
            case HEAD_METRICS -> utf8(MetricsTables.heads(session));
            case LAYER_METRICS -> utf8(MetricsTables.layers(session));
            case TOKENS -> utf8(f.equals("json") ? tokensJson(r.input()) : TokenTable.csv(session));
            case FLOW -> {
                if (session.flow() == null) {
                    throw new HeadwiseException(ViewFigures.unavailable(ViewKind.FLOW, session));
                }
                yield utf8(f.equals("graphml") ? GraphFiles.graphml(session.flow(), session.tokens())
                        : GraphFiles.json(session.flow(), session.tokens()));
            }
        };
        if (bytes != null) {
            write(file, bytes);
        }
    }

    /**
     * Every view the session can draw, in PNG, SVG and PDF, under figures/; every data file under data/; and an
     * index.html showing the figures. Views the session cannot draw are listed in the index with the reason.
     */
    public static ExportSummary exportAll(Session session, Path dir, double pngScale) {
        List<Path> written = new ArrayList<>();
        Map<ViewKind, String> skipped = new LinkedHashMap<>();
        List<ViewKind> views = new ArrayList<>();
        for (ViewKind view : ViewKind.values()) {
            String missing = unavailable(view, session);
            if (missing != null) {
                skipped.put(view, missing);
                continue;
            }
            Figure figure = figure(view, session);
            for (FigureFormat format : FigureFormat.values()) {
                Path file = dir.resolve(FIGURES).resolve(view.cliName() + "." + format.extension());
                writeFigure(figure, view, format, pngScale, file);
                written.add(file);
            }
            views.add(view);
        }
        List<DataFile> data = dataFiles(session);
        for (DataFile d : data) {
            Path file = dir.resolve(DATA).resolve(d.name());
            exportData(d.kind(), session, d.format(), null, null, file);
            written.add(file);
        }
        Path index = dir.resolve("index.html");
        write(index, utf8(IndexPage.html(session, views, skipped, data, dir)));
        written.add(index);
        return new ExportSummary(written, skipped);
    }

    /** What {@link #exportAll} wrote, and the views it skipped with the reason. */
    public record ExportSummary(List<Path> files, Map<ViewKind, String> skipped) {
    }

    /** One data file of {@link #exportAll}. */
    record DataFile(String name, DataKind kind, String format, String description) {
    }

    static List<DataFile> dataFiles(Session s) {
        AnalysisResult r = s.result();
        List<DataFile> files = new ArrayList<>();
        String shape = "[" + r.attention().layers() + ", " + r.attention().heads() + ", " + r.attention().length() + ", "
                + r.attention().length() + "]";
        files.add(new DataFile("attention.npy", DataKind.ATTENTION, "npy", "float32 " + shape + " softmax attention, rows = queries"));
        files.add(new DataFile("attention.npz", DataKind.ATTENTION, "npz", "attention " + shape + " with int32 layers and heads"));
        files.add(new DataFile("output.npy", DataKind.OUTPUT, "npy", "float32 " + Arrays.toString(r.output().shape())
                + " model output"));
        files.add(new DataFile("tokens.csv", DataKind.TOKENS, "csv", "position, id, token, offsets, sink rate"));
        files.add(new DataFile("tokens.json", DataKind.TOKENS, "json", "ids, tokens, offsets (as analyze writes it)"));
        if (s.metrics() != null) {
            files.add(new DataFile("metrics.json", DataKind.METRICS, "json", "every metric (README, metrics.json)"));
        }
        files.add(new DataFile("metrics_heads.csv", DataKind.HEAD_METRICS, "csv", "one row per head"));
        files.add(new DataFile("metrics_layers.csv", DataKind.LAYER_METRICS, "csv", "one row per layer"));
        if (s.flow() != null) {
            files.add(new DataFile("flow.json", DataKind.FLOW, "json", "contribution graph: nodes, edges, weights"));
            files.add(new DataFile("flow.graphml", DataKind.FLOW, "graphml", "the same graph as GraphML"));
        }
        return files;
    }

    private static int[] selection(int[] chosen, int count, String what) {
        try {
            return AttentionData.selection(chosen, count, what);
        } catch (IllegalArgumentException e) {
            throw new HeadwiseException(e.getMessage());
        }
    }

    /** analyze's tokens.json: ids, tokens, and offsets for text. */
    static String tokensJson(ModelInput input) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ids", input.ids());
        json.put("tokens", input.tokens());
        if (input.offsets() != null) {
            json.put("offsets", input.offsets());
        }
        return new GsonBuilder().disableHtmlEscaping().create().toJson(json) + "\n";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, bytes);
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot write: " + e.getMessage());
        }
    }
}
