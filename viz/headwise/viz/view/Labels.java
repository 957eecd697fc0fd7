package headwise.viz.view;

/** Labels for figure axes and token chips: tokens made readable, positions, indices. */
public final class Labels {

    /** Longer tokens are clipped to this many characters, the last one an ellipsis. */
    public static final int MAX_LABEL_CHARS = 14;

    private Labels() {
    }

    /** What a token looks like as a label: control characters made visible, long ones clipped. */
    public static String shorten(String token) {
        if (token == null) {
            return "";
        }
        if (token.isBlank()) {
            return token.contains("\n") ? "\u21B5" : "\u2423";
        }
        StringBuilder out = new StringBuilder();
        token.codePoints().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isISOControl(c)) {
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(c);
            }
        });
        String text = out.toString();
        if (text.codePointCount(0, text.length()) > MAX_LABEL_CHARS) {
            text = text.substring(0, text.offsetByCodePoints(0, MAX_LABEL_CHARS - 1)) + "\u2026";
        }
        return text;
    }

    /** Tokens as labels (control characters visible, long ones clipped), or positions when there are no tokens. */
    static String[] tokens(String[] tokens, int length) {
        String[] labels = new String[length];
        for (int i = 0; i < length; i++) {
            labels[i] = tokens == null ? Integer.toString(i) : shorten(tokens[i]);
        }
        return labels;
    }

    /** "0", "1", … */
    static String[] indices(int count) {
        return indices("", count);
    }

    /** prefix + "0", prefix + "1", … */
    public static String[] indices(String prefix, int count) {
        String[] labels = new String[count];
        for (int i = 0; i < count; i++) {
            labels[i] = prefix + i;
        }
        return labels;
    }
}
