package headwise.viz.view;

import java.util.List;

/**
 * What the model view marks on each head: a category (head type) drawn as a coloured frame, and an importance
 * drawn as a bar under the thumbnail.
 *
 * @param categories     legend names, in the order their colours are assigned
 * @param category       [layer][head] index into {@code categories}, −1 for none; or null for no frames
 * @param importance     [layer][head] scores (bar length ∝ |score|, negative scores in another colour), or null
 * @param importanceName what the scores are, for the legend ("ablation Δloss")
 */
public record HeadMarks(List<String> categories, int[][] category, double[][] importance, String importanceName) {

    public static HeadMarks none() {
        return new HeadMarks(List.of(), null, null, null);
    }

    int categoryOf(int layer, int head) {
        return category == null ? -1 : category[layer][head];
    }
}
