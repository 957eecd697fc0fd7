package headwise.viz.vlm;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import headwise.engine.vlm.analysis.ClassShares;
import headwise.engine.vlm.analysis.HeadDivergence;
import headwise.engine.vlm.analysis.ImageTokenFlow;
import headwise.engine.vlm.analysis.ImageTokenPruning;
import headwise.engine.vlm.analysis.JoinedSequence;
import headwise.engine.vlm.analysis.PatchAttention;
import headwise.engine.vlm.analysis.VisualSinks;
import headwise.viz.FigureChecks;
import headwise.viz.FigurePixels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The four vision-language figures on the tiny Llama fixture with a joined sequence of 50 positions: BOS, 3 text,
 * a 6×6 image (grid (4, 1) made massive in channel 7 like BOS, so it is a visual sink), 6 text, 4 generated. Written to
 * target/screenshots/vlm-*.{png,svg,pdf}.
 */
class VlmFiguresTest {

    static final int ROWS = 6;
    static final int COLS = 6;
    static final int IMAGE_START = 4;
    static final int SINK = 4 * COLS + 1;
    private static LoadedModel model;
    private static JoinedSequence sequence;

    @BeforeAll
    static void setUp() {
        model = ModelLoader.load(Fixtures.model("llama_f32").toString());
        int t = 1 + 3 + ROWS * COLS + 6 + 4;
        int d = 64;
        Random random = new Random(11);
        float[] x = new float[t * d];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) random.nextGaussian();
        }
        x[7] = 40;
        x[(IMAGE_START + SINK) * d + 7] = 40;
        TokenClass[] classes = new TokenClass[t];
        Arrays.fill(classes, TokenClass.TEXT);
        classes[0] = TokenClass.SYSTEM;
        Arrays.fill(classes, IMAGE_START, IMAGE_START + ROWS * COLS, TokenClass.IMAGE);
        Arrays.fill(classes, t - 4, t, TokenClass.GENERATED);
        sequence = new JoinedSequence(model.transformer(), Ops.fromFloats(x, 1, t, d), new TokenClasses(classes, IMAGE_START, ROWS, COLS));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A 96×96 test picture: sky, ground, a sun. */
    static BufferedImage picture() {
        BufferedImage image = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0x87, 0xCE, 0xEB));
        g.fillRect(0, 0, 96, 60);
        g.setColor(new Color(0x3A, 0x7D, 0x2C));
        g.fillRect(0, 60, 96, 36);
        g.setColor(new Color(0xF5, 0xC2, 0x1B));
        g.fillOval(60, 10, 22, 22);
        g.dispose();
        return image;
    }

    @Test
    void classShares() throws Exception {
        ClassShares shares = ClassShares.compute(sequence, ClassShares.Rows.GENERATED);
        ClassSharesFigure figure = new ClassSharesFigure("Attention by token class", shares, "generated rows");
        FigureChecks.writeAndCheck(figure, "vlm-class-shares", "image keys", "per layer (mean of heads)");
    }

    @Test
    void imageOverlayMarksTheVisualSink() throws Exception {
        AttentionMaps maps = ClassShares.attention(sequence);
        VisualSinks sinks = VisualSinks.find(sequence, VisualSinks.Options.defaults().withTau(5));
        assertEquals(1, sinks.sinks().size());
        double[][] grid = PatchAttention.grid(maps, sequence.classes(), 2, PatchAttention.MEAN_OF_HEADS, sequence.length() - 1);
        ImageAttentionFigure figure = new ImageAttentionFigure("Where the last token looks",
                "query: last position (" + (sequence.length() - 1) + "), layer 2, mean of heads", picture(), grid, sinks.sinks());
        FigureChecks.writeAndCheck(figure, "vlm-image-attention", "sink 1: patch (4,1), position " + (IMAGE_START + SINK)
                + ", \u03C6 " + headwise.viz.draw.Text.number(sinks.sinks().get(0).score()) + " in 1 layer; attention "
                + headwise.viz.draw.Text.number(grid[4][1]));
        BufferedImage png = FigurePixels.render(figure);
        int red = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                red += png.getRGB(x, y) == ImageAttentionFigure.SINK.getRGB() ? 1 : 0;
            }
        }
        assertTrue(red > 40, "the sink's red frame: " + red + " pixels");
    }

    @Test
    void headDivergence() throws Exception {
        HeadDivergence vhd = HeadDivergence.compute(sequence, null, 3);
        FigureChecks.writeAndCheck(new HeadDivergenceFigure("Vision-aware head divergence", vhd, 5), "vlm-head-divergence", "top heads");
    }

    @Test
    void pruningCurves() throws Exception {
        ImageTokenFlow flow = ImageTokenFlow.compute(sequence, null);
        ImageTokenPruning p = ImageTokenPruning.compute(sequence, flow.cumulative(), flow.attention()[1],
                ImageTokenPruning.defaultFractions(), -1);
        FigureChecks.writeAndCheck(new PruningCurvesFigure("FlowCut on image tokens", p, "attention at layer 1", "tok" + p.clean().target()),
                "vlm-pruning-curves");
    }

    /** A 22-layer, 32-head model (TinyLlama's shape) and a 24×24 grid with many sinks: the figures stay legible. */
    @Test
    void figuresAtRealScale() throws Exception {
        Random random = new Random(3);
        double[][][] shares = new double[4][22][32];
        for (int l = 0; l < 22; l++) {
            for (int h = 0; h < 32; h++) {
                double[] w = {random.nextDouble(), random.nextDouble(), 3 * random.nextDouble(), random.nextDouble() / 4};
                double sum = w[0] + w[1] + w[2] + w[3];
                for (int c = 0; c < 4; c++) {
                    shares[c][l][h] = w[c] / sum;
                }
            }
        }
        ClassSharesFigure classes = new ClassSharesFigure("Attention by token class", new ClassShares(new int[] {600}, shares), "generated rows");
        FigureChecks.writeAndCheck(classes, "vlm-class-shares-large", "image keys");
        assertTrue(classes.width() <= 1920, "fits a 1920-wide screen: " + classes.width());

        double[][] map = new double[22][32];
        for (double[] row : map) {
            for (int h = 0; h < 32; h++) {
                row[h] = random.nextDouble() * random.nextDouble();
            }
        }
        HeadDivergence vhd = new HeadDivergence(new int[] {590, 591}, map, new double[][][] {map, map}, 5, new double[] {0.9, 0.8});
        FigureChecks.writeAndCheck(new HeadDivergenceFigure("Vision-aware head divergence", vhd, 10), "vlm-head-divergence-large", "top heads");

        double[][] grid = new double[24][24];
        for (double[] row : grid) {
            for (int c = 0; c < 24; c++) {
                row[c] = random.nextDouble() * 0.01;
            }
        }
        java.util.List<VisualSinks.VisualSink> sinks = new java.util.ArrayList<>();
        for (int k = 0; k < 11; k++) {
            int r = (7 * k + 2) % 24; // distinct patches
            int c = (11 * k + 3) % 24;
            grid[r][c] = 0.05 + 0.01 * k;
            sinks.add(new VisualSinks.VisualSink(35 + r * 24 + c, r, c, 60 - k, 20 - k));
        }
        BufferedImage image = new BufferedImage(336, 336, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.drawImage(picture(), 0, 0, 336, 336, null);
        g.dispose();
        FigureChecks.writeAndCheck(new ImageAttentionFigure("Where 'dog' looks", "query 'dog' (position 612), layer 14, mean of heads",
                image, grid, sinks), "vlm-image-attention-large", "\u2026 and 3 more visual sinks");
    }
}
