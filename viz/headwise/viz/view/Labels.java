package headwise.viz.view;

import headwise.viz.AttentionHeatmap;

/** Labels for figure axes. */
final class Labels {

    private Labels() {
    }

    /** Tokens as labels (control characters visible, long ones clipped), or positions when there are no tokens. */
    static String[] tokens(String[] tokens, int length) {
        String[] labels = new String[length];
        for (int i = 0; i < length; i++) {
            labels[i] = tokens == null ? Integer.toString(i) : AttentionHeatmap.shorten(tokens[i]);
        }
        return labels;
    }

    /** "0", "1", … */
    static String[] indices(int count) {
        return indices("", count);
    }

    /** prefix + "0", prefix + "1", … */
    static String[] indices(String prefix, int count) {
        String[] labels = new String[count];
        for (int i = 0; i < count; i++) {
            labels[i] = prefix + i;
        }
        return labels;
    }
}
