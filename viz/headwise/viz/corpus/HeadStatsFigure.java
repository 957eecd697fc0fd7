package headwise.viz.corpus;

import headwise.viz.draw.Scales;
import headwise.viz.draw.ValueScale;
import headwise.viz.view.Labels;
import headwise.viz.view.MatrixFigure;

import java.util.Arrays;

/**
 * One statistic of one head metric over a corpus as an L×H map (layers on rows, heads on columns), coloured from its
 * smallest to its largest value; grey where the metric applied to no prompt. A {@link MatrixFigure}, so the page
 * maps clicks with {@link MatrixFigure#cellAt} and marks a head with {@link MatrixFigure#cells}.
 */
public final class HeadStatsFigure {

    private HeadStatsFigure() {
    }

    /** @param values [layer][head], NaN where there is no value */
    public static MatrixFigure of(String title, String caption, double[][] values, String legend) {
        int layers = values.length;
        int heads = values[0].length;
        boolean anyValue = Arrays.stream(values).flatMapToDouble(Arrays::stream).anyMatch(Double::isFinite);
        ValueScale scale = anyValue ? Scales.score(Scales.min(values), Scales.max(values)) : ValueScale.linear(0, 1);
        int cell = Math.max(10, Math.min(30, 420 / Math.max(heads, layers)));
        MatrixFigure figure = MatrixFigure.of(title, caption, values, Labels.indices("L", layers), Labels.indices("H", heads), cell,
                scale, false, legend);
        figure.panel().named("layer", "head");
        return figure;
    }
}
