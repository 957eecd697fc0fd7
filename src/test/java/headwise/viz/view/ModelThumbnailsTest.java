package headwise.viz.view;

import headwise.engine.analysis.Sinks;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.AttentionMapsCopies;
import headwise.viz.ColorScale;
import headwise.viz.export.PngExport;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The model view's tiles are the pooled heads, and the figure draws exactly those tiles. */
class ModelThumbnailsTest {

    /** Weights that are sixteenths, so every sum is exact and the means can be checked to the last bit. */
    private static AttentionMaps sixteenths(int layers, int heads, int t) {
        float[] all = new float[layers * heads * t * t];
        for (int m = 0; m < layers * heads; m++) {
            for (int q = 0; q < t; q++) {
                for (int k = 0; k < t; k++) {
                    all[(m * t + q) * t + k] = ((q * 7 + k * 3 + m * 5) % 16) / 16f;
                }
            }
        }
        return new AttentionMaps(layers, heads, t, all);
    }

    @Test
    void longInputsArePooledToTheLargestOfEachPixelsCellsScaledToTheHeadsPercentile() {
        AttentionMaps a = sixteenths(2, 12, 200);
        ModelThumbnails tiles = ModelThumbnails.of(a);
        int size = tiles.size();
        assertEquals(ModelViewFigure.thumbSizeFor(12, 200), size);
        double[][][] sinkScores = Sinks.scores(a, false);
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 12; h += 5) {
                float[] m = a.head(l, h);
                float[] pooled = new float[size * size];
                for (int py = 0; py < size; py++) {
                    for (int px = 0; px < size; px++) {
                        for (int q = py * 200 / size; q < (py + 1) * 200 / size; q++) {
                            for (int k = px * 200 / size; k < (px + 1) * 200 / size; k++) {
                                pooled[py * size + px] = Math.max(pooled[py * size + px], m[q * 200 + k]);
                            }
                        }
                    }
                }
                float[] sorted = pooled.clone();
                java.util.Arrays.sort(sorted);
                double top = sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
                int[] tile = tiles.tile(l, h);
                for (int i = 0; i < pooled.length; i++) {
                    assertEquals(ColorScale.argb(pooled[i], top), tile[i], "pixel " + i);
                }
                assertEquals(sinkScores[l][h][0], tiles.firstKeyMass()[l][h], 1e-12, "mean weight on key 0");
            }
        }
    }

    /**
     * A realistic long head: 60% on a sink column (key 0), 20% on the diagonal, the rest spread over the earlier keys.
     * At 2048 tokens a pixel covers about 30×30 cells; the diagonal one cell wide must still stand out of its
     * neighbours (averaged, it was 1/30 of its weight: the colour of the background).
     */
    @Test
    void aDiagonalAndASinkColumnStayVisibleAt2kTokens() throws Exception {
        int t = 2048;
        float[] cells = new float[t * t];
        for (int q = 0; q < t; q++) {
            cells[q * t] += 0.6f;
            cells[q * t + q] += 0.2f;
            for (int k = 0; k <= q; k++) {
                cells[q * t + k] += 0.2f / (q + 1);
            }
        }
        ModelThumbnails tiles = ModelThumbnails.of(new AttentionMaps(1, 1, t, cells));
        int size = tiles.size();
        int[] tile = tiles.tile(0, 0);
        int diagonalBrighter = 0;
        for (int p = 4; p < size - 4; p++) {
            double diagonal = luminance(tile[p * size + p]);
            double beside = luminance(tile[p * size + p - 3]);
            double sink = luminance(tile[p * size]);
            assertEquals(luminance(ColorScale.argb(1.0)), sink, 1e-9, "the sink column is at the top of the scale, row " + p);
            if (diagonal > beside + 40) {
                diagonalBrighter++;
            }
        }
        assertEquals(size - 8, diagonalBrighter, "every diagonal pixel is clearly brighter than the pixels beside it");
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB); // to look at
        image.setRGB(0, 0, size, size, tile, 0, size);
        java.nio.file.Path folder = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "screenshots"));
        javax.imageio.ImageIO.write(image, "png", folder.resolve("thumbnail-2048-tokens.png").toFile());
    }

    private static double luminance(int argb) {
        return 0.299 * ((argb >> 16) & 0xff) + 0.587 * ((argb >> 8) & 0xff) + 0.114 * (argb & 0xff);
    }

    @Test
    void shortInputsShowEachCellAsABlock() {
        AttentionMaps a = new AttentionMaps(1, 1, 2, new float[] {1, 0, 0.25f, 0.75f});
        ModelThumbnails tiles = ModelThumbnails.of(a);
        int size = tiles.size();
        assertEquals(0, size % 2, "whole cells");
        int[] tile = tiles.tile(0, 0);
        assertEquals(ColorScale.argb(1.0), tile[0]);
        assertEquals(ColorScale.argb(0.0), tile[size - 1]);
        assertEquals(ColorScale.argb(0.25), tile[(size - 1) * size]);
        assertEquals(ColorScale.argb(0.75), tile[size * size - 1]);
        assertEquals(0.625, tiles.firstKeyMass()[0][0], 1e-12);
    }

    @Test
    void halfPrecisionMapsGiveTheSameTiles() {
        AttentionMaps f32 = sixteenths(1, 2, 300);
        AttentionMaps f16 = AttentionMapsCopies.asHalves(f32);
        ModelThumbnails a = ModelThumbnails.of(f32);
        ModelThumbnails b = ModelThumbnails.of(f16);
        assertArrayEquals(a.tile(0, 1), b.tile(0, 1));
        assertArrayEquals(a.firstKeyMass()[0], b.firstKeyMass()[0]);
    }

    @Test
    void theFigureComposesTheTilesAndIsDeterministic() {
        AttentionMaps a = sixteenths(3, 4, 64);
        ModelThumbnails tiles = ModelThumbnails.of(a);
        int[][] category = {{0, -1, -1, -1}, {-1, -1, 1, -1}, {-1, -1, -1, -1}};
        double[][] importance = {{1, 2, 3, 4}, {-1, 0, 1, 2}, {0.5, 0.5, 0.5, 0.5}};
        HeadMarks marks = new HeadMarks(List.of("induction", "sink"), category, importance, "ablation \u0394loss");
        ModelViewFigure figure = new ModelViewFigure(tiles, "tiles", marks);
        BufferedImage image = PngExport.render(figure, 1);
        int size = figure.thumbnailSize();
        for (int l = 0; l < 3; l++) {
            for (int h = 0; h < 4; h++) {
                double[] corner = figure.thumbnailCorner(l, h);
                int[] tile = tiles.tile(l, h);
                for (int p = 0; p < size; p += 7) {
                    int x = (int) corner[0] + p;
                    int y = (int) corner[1] + (p * 3) % size;
                    assertEquals(tile[((p * 3) % size) * size + p] & 0xFFFFFF, image.getRGB(x, y) & 0xFFFFFF, "head " + l + "," + h);
                }
            }
        }
        assertArrayEquals(PngExport.bytes(figure, 1), PngExport.bytes(new ModelViewFigure(ModelThumbnails.of(a), "tiles", marks), 1));
    }
}
