package headwise.viz.draw;

import headwise.viz.ColorScale;
import headwise.viz.DivergingColorScale;

import java.util.ArrayList;
import java.util.List;

/**
 * How the numbers of one panel become colours: viridis over [min, max] linearly or in log10, or the diverging
 * blue–red map symmetric around 0 (differences, correlations). Also says where its legend's ticks go.
 */
public final class ValueScale {

    public enum Kind { LINEAR, LOG, DIVERGING }

    /** Where a legend tick goes: {@code fraction} 0 = bottom of the bar, 1 = top. */
    public record Tick(double fraction, String label) {
    }

    /** The log scale never reaches below max × this: attention rounds to tiny non-zero values. */
    public static final double LOG_RANGE = 1e-4;

    private final Kind kind;
    private final double min;
    private final double max;

    private ValueScale(Kind kind, double min, double max) {
        this.kind = kind;
        this.min = min;
        this.max = max;
    }

    /** Viridis, {@code min} lowest to {@code max} highest (an empty range draws everything lowest). */
    public static ValueScale linear(double min, double max) {
        return new ValueScale(Kind.LINEAR, min, max);
    }

    /** Viridis on log10 from {@code max}·{@link #LOG_RANGE} (or the smallest positive value, if larger) to {@code max}. */
    public static ValueScale log(double smallestPositive, double max) {
        double top = max > 0 ? max : 1;
        double floor = Math.max(top * LOG_RANGE, smallestPositive > 0 && smallestPositive < top ? smallestPositive : top * LOG_RANGE);
        return new ValueScale(Kind.LOG, floor, top);
    }

    /** Blue (−limit) to red (+limit), near-white at 0. */
    public static ValueScale diverging(double limit) {
        double l = limit > 0 && Double.isFinite(limit) ? limit : 1;
        return new ValueScale(Kind.DIVERGING, -l, l);
    }

    public Kind kind() {
        return kind;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** Position of {@code value} on the scale, 0 to 1 (clamped); NaN stays NaN. */
    public double fraction(double value) {
        if (Double.isNaN(value)) {
            return Double.NaN;
        }
        double f;
        if (kind == Kind.LOG) {
            f = value <= min ? 0 : (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
        } else {
            f = max > min ? (value - min) / (max - min) : 0;
        }
        return Math.max(0, Math.min(1, f));
    }

    public int argb(double value) {
        return argbAt(fraction(value));
    }

    /** The colour at a position of the scale. */
    public int argbAt(double fraction) {
        return kind == Kind.DIVERGING ? DivergingColorScale.argb(fraction) : ColorScale.argb(fraction);
    }

    /** Legend ticks: ends and middle (linear, diverging) or each power of ten between the ends (log). */
    public List<Tick> ticks() {
        List<Tick> ticks = new ArrayList<>();
        if (kind == Kind.LOG) {
            ticks.add(new Tick(0, Text.number(min)));
            for (int e = (int) Math.ceil(Math.log10(min) + 1e-9); Math.pow(10, e) < max * 0.8; e++) {
                if (Math.pow(10, e) > min * 1.5) {
                    ticks.add(new Tick(fraction(Math.pow(10, e)), "1e" + e));
                }
            }
            ticks.add(new Tick(1, Text.number(max)));
            return ticks;
        }
        ticks.add(new Tick(0, Text.number(min)));
        if (max > min) {
            ticks.add(new Tick(0.5, Text.number((min + max) / 2)));
            ticks.add(new Tick(1, Text.number(max)));
        }
        return ticks;
    }

    /** Same kind over the same range: the same colours for the same numbers. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ValueScale v && v.kind == kind && Double.compare(v.min, min) == 0 && Double.compare(v.max, max) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, min, max);
    }

    @Override
    public String toString() {
        return kind + "[" + min + ", " + max + "]";
    }

    /** "linear", "log10" or "diverging", for captions. */
    public String describe() {
        return switch (kind) {
            case LINEAR -> "linear";
            case LOG -> "log10";
            case DIVERGING -> "diverging around 0";
        };
    }
}
