package headwise.viz.export;

import java.util.Locale;

/** The file formats a figure can be written in. */
public enum FigureFormat {
    PNG, SVG, PDF;

    /** "png", "svg", "pdf". */
    public String extension() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code name} (case ignored), or an IllegalArgumentException listing the formats. */
    public static FigureFormat parse(String name) {
        for (FigureFormat f : values()) {
            if (f.extension().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown figure format '" + name + "'; use png, svg or pdf");
    }
}
