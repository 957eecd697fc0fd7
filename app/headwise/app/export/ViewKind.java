package headwise.app.export;

import headwise.engine.HeadwiseException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The views that can be exported as figures, by their command-line names. */
public enum ViewKind {
    MODEL_VIEW("model-view", "Model view: every head's attention"),
    HEATMAP("heatmap", "Head heatmap"),
    HEAD_VIEW("head-view", "Head view: queries to keys"),
    FLOW("flow", "Information flow graph"),
    IMPORTANCE("importance", "Head importance and rank agreement"),
    LAYERS("layers", "Layer-wise metrics"),
    SINKS("sinks", "Attention sinks"),
    VIT_OVERLAY("vit-overlay", "ViT: CLS attention over the image"),
    COMPARE("compare", "Compare two runs"),
    RELEVANCE("relevance", "Relevance: which input tokens the output rests on"),
    ATLAS("atlas", "Head atlas: heads placed by how alike they attend"),
    FAITHFULNESS("faithfulness", "Faithfulness: deletion and insertion curves of each relevance map");

    private final String cliName;
    private final String title;

    ViewKind(String cliName, String title) {
        this.cliName = cliName;
        this.title = title;
    }

    /** "model-view", "heatmap", …: the command line's name and the exported file's base name. */
    public String cliName() {
        return cliName;
    }

    /** A human heading ("Head heatmap"). */
    public String title() {
        return title;
    }

    public static ViewKind parse(String name) {
        for (ViewKind v : values()) {
            if (v.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new HeadwiseException("--view: unknown view '" + name + "'; use one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(ViewKind::cliName).collect(Collectors.joining(", "));
    }
}
