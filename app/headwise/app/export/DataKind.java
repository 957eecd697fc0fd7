package headwise.app.export;

import headwise.engine.HeadwiseException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The data files a session can be exported as, with their command-line names and file formats. */
public enum DataKind {
    /** float32 [layers, heads, T, T] (chosen layers and heads); .npz adds int32 "layers" and "heads". */
    ATTENTION("attention", List.of("npy", "npz")),
    /** The model's output (logits or last hidden state), float32. */
    OUTPUT("output", List.of("npy")),
    /** metrics.json (README, section metrics.json). */
    METRICS("metrics", List.of("json")),
    /** One row per head: layer, head, every [L][H] metric and importance measure. */
    HEAD_METRICS("head-metrics", List.of("csv")),
    /** One row per layer: every [L] metric. */
    LAYER_METRICS("layer-metrics", List.of("csv")),
    /** One row per token (csv), or analyze's tokens.json. */
    TOKENS("tokens", List.of("csv", "json")),
    /** The contribution graph: nodes, edges, weights. */
    FLOW("flow", List.of("json", "graphml"));

    private final String cliName;
    private final List<String> formats;

    DataKind(String cliName, List<String> formats) {
        this.cliName = cliName;
        this.formats = formats;
    }

    public String cliName() {
        return cliName;
    }

    public static DataKind parse(String name) {
        for (DataKind d : values()) {
            if (d.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new HeadwiseException("--data: unknown data '" + name + "'; use one of "
                + Arrays.stream(values()).map(DataKind::cliName).collect(Collectors.joining(", ")));
    }

    /** The format to write: {@code requested} if given, else the file's extension, else the default; checked. */
    public String format(String requested, String fileName) {
        String f = requested;
        if (f == null) {
            int dot = fileName.lastIndexOf('.');
            String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
            f = formats.contains(ext) ? ext : formats.get(0);
        }
        f = f.toLowerCase(Locale.ROOT);
        if (!formats.contains(f)) {
            throw new HeadwiseException("--format: " + cliName + " can be written as " + String.join(" or ", formats) + ", not " + f);
        }
        return f;
    }
}
