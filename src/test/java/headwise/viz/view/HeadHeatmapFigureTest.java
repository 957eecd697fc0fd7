package headwise.viz.view;

import headwise.viz.FigureChecks;
import org.junit.jupiter.api.Test;

class HeadHeatmapFigureTest {

    static final String[] TOKENS = "[CLS] the cat sat on the mat because it was tired . [SEP]".split(" ");

    static float[] sinkAndDiagonal(int length) {
        float[] m = new float[length * length];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k < length; k++) {
                m[q * length + k] = 0.1f / length;
            }
            m[q * length] += 0.3f;
            m[q * length + q] += 0.6f;
        }
        return m;
    }

    @Test
    void linearAndLogInAllFormats() throws Exception {
        int length = TOKENS.length;
        float[] m = sinkAndDiagonal(length);
        FigureChecks.writeAndCheck(new HeadHeatmapFigure(m, length, TOKENS, "synthetic \u00B7 layer 0, head 3", false),
                "view-heatmap-linear", "cat", "mat", "[CLS]");
        FigureChecks.writeAndCheck(new HeadHeatmapFigure(m, length, TOKENS, "synthetic \u00B7 layer 0, head 3", true),
                "view-heatmap-log", "cat", "1e-1");
    }
}
