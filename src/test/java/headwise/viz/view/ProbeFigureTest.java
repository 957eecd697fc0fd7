package headwise.viz.view;

import headwise.viz.FigureChecks;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probing figure in PNG, SVG and PDF, with every part: all curves, the linear scores, the head map and the attention. */
class ProbeFigureTest {

    @Test
    void everyPartIsDrawnInEveryFormat() throws Exception {
        double[] linear = {0.55, 0.81, 0.94, 0.94};
        ProbeFigure.Curves curves = new ProbeFigure.Curves(linear, new double[] {0.5, 0.8, 0.95, 0.93}, new double[] {0.6, 0.9, 1, 1});
        List<ProbeFigure.Curve> all = List.of(new ProbeFigure.Curve("linear", linear),
                new ProbeFigure.Curve("attentive", new double[] {0.5, 0.94, 1, 0.98}),
                new ProbeFigure.Curve("linear, noise σ=0.5", new double[] {0.5, 0.46, 0.5, 0.58}));
        double[][] heads = {{0.5, 0.6, 0.7}, {0.8, 0.9, 1}, {0.55, 0.65, 0.75}, {0.5, 0.5, 0.5}};
        ProbeFigure.Attention attention = new ProbeFigure.Attention(2, "example 1 (row 2)",
                new String[] {"[CLS]", "anna", "was", "not", "happy", "[SEP]"},
                new double[][] {{0, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 0.9, 0.1}});
        ProbeFigure figure = new ProbeFigure("probe · test", curves, new double[] {0.44, 0.49, 0.44}, 2, all, heads, attention);
        assertTrue(figure.width() > 700 && figure.height() > 500, figure.width() + "×" + figure.height());
        FigureChecks.writeAndCheck(figure, "view-probe", "Accuracy of every probe", "Linear probe", "Per-head probes",
                "Attentive probe, block 2", "attentive", "linear, noise σ=0.5", "happy");
    }
}
