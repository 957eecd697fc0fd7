package headwise.viz.draw;

import headwise.viz.DivergingColorScale;

import java.awt.Color;

/**
 * One colour scale per kind of number, for every view and every export, so a colour means the same wherever it is
 * seen: attention weights on viridis from 0, signed quantities (relevance, changes in loss or logit, differences,
 * correlations) on RdBu centred on 0, unsigned scores (entropy, similarity, accuracy, distances) on viridis from their
 * smallest to their largest value, and categories (head types, series) in the Okabe–Ito palette. Views and
 * exports ask here rather than build a {@link ValueScale} of their own.
 */
public final class Scales {

    private Scales() {
    }

    /** Attention weights: viridis from 0 to the largest weight {@code max}. */
    public static ValueScale attention(double max) {
        return ValueScale.linear(0, max);
    }

    /** Attention weights, linear from 0 or log10 from the smallest positive weight (shows what a sink hides). */
    public static ValueScale attention(double max, double smallestPositive, boolean log) {
        return log ? ValueScale.log(smallestPositive, max) : attention(max);
    }

    /** A signed quantity whose magnitude is at most {@code limit}: RdBu, blue −limit, near-white 0, red +limit. */
    public static ValueScale signed(double limit) {
        return ValueScale.diverging(limit);
    }

    /** A signed quantity, symmetric around 0 up to the largest |value| of {@code values}. */
    public static ValueScale signed(double[][] values) {
        return signed(Math.max(Math.abs(min(values)), Math.abs(max(values))));
    }

    /** A correlation, −1 to 1. */
    public static ValueScale correlation() {
        return signed(1);
    }

    /** An unsigned score: viridis from {@code min} to {@code max}. */
    public static ValueScale score(double min, double max) {
        return ValueScale.linear(min, max);
    }

    /** An unsigned score over its own range. */
    public static ValueScale score(double[][] values) {
        return score(min(values), max(values));
    }

    /**
     * A head-importance map: signed (RdBu around 0) when its scores take both signs, as a change in loss does when
     * some heads help and others hurt; an unsigned score otherwise.
     */
    public static ValueScale importance(double[][] scores) {
        return min(scores) < 0 && max(scores) > 0 ? signed(scores) : score(scores);
    }

    /** The colour of category {@code i} (head type, series), Okabe–Ito, repeating after eight. */
    public static Color category(int i) {
        return Style.CATEGORIES[Math.floorMod(i, Style.CATEGORIES.length)];
    }

    /** The colour of line series {@code i} of a chart: blue, vermillion, green, purple, then the other categories. */
    public static Color series(int i) {
        int[] order = {5, 4, 2, 3, 0, 1, 6, 7};
        return category(order[Math.floorMod(i, order.length)]);
    }

    /** The colour of a signed bar or mark: RdBu's red for positive (and zero), its blue for negative. */
    public static Color sign(double value) {
        return new Color(DivergingColorScale.argb(value < 0 ? 0.15 : 0.85));
    }

    /** The smallest finite value (0 when there is none). */
    public static double min(double[][] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                }
            }
        }
        return Double.isFinite(min) ? min : 0;
    }

    /** The largest finite value (0 when there is none). */
    public static double max(double[][] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        return Double.isFinite(max) ? max : 0;
    }
}
