package headwise.viz.vlm;

import headwise.engine.vlm.analysis.VisualSinks.VisualSink;
import headwise.viz.FigureChecks;
import headwise.viz.FigurePixels;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A visual sink off the patch grid (the tower's CLS kept by 'full') is listed, not framed on the image. */
class ImageAttentionFigureOffGridTest {

    @Test
    void theClsSinkIsListedWithoutAFrame() throws Exception {
        double[][] grid = new double[4][4];
        grid[1][2] = 0.3;
        grid[3][0] = 0.1;
        BufferedImage picture = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        List<VisualSink> cls = List.of(new VisualSink(3, -1, -1, 7.5, 2));
        ImageAttentionFigure figure = new ImageAttentionFigure("CLS as a sink", "last position, layer 1", picture, grid, cls);
        FigureChecks.writeAndCheck(figure, "vlm-image-attention-cls-sink",
                "sink 1: image token off the grid (the tower's CLS), position 3, \u03C6 7.50 in 2 layers");
        assertEquals(0, redPixels(FigurePixels.render(figure)), "no patch framed for a sink off the grid");

        List<VisualSink> both = List.of(new VisualSink(3, -1, -1, 7.5, 2), new VisualSink(10, 1, 2, 7, 1));
        assertEquals(true, redPixels(FigurePixels.render(new ImageAttentionFigure("CLS and a patch", "", picture, grid, both))) > 40,
                "the patch's frame");
    }

    private static int redPixels(BufferedImage png) {
        int red = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                red += png.getRGB(x, y) == ImageAttentionFigure.SINK.getRGB() ? 1 : 0;
            }
        }
        return red;
    }
}
