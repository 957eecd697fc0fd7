package headwise.viz.view;

import headwise.engine.run.AttentionMaps;
import headwise.viz.ColorScale;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * What the model view draws of each head, built once per analysis result (the app does it in the background, as
 * part of the run) so that drawing the view only composes these tiles: each head's thumbnail as ARGB pixels and each
 * head's mean weight on the first key (what frames a sink head). Both come from one pass over the head's rows.
 * <p>
 * A long input is pooled by <b>maximum</b>: each pixel shows the largest weight among the cells it covers, so a
 * diagonal, a previous-token stripe or a sink column one cell wide keeps its colour at 1k–8k tokens (averaged into a
 * pixel of 30×30 cells it would vanish). Each head is coloured from 0 to the {@value #TOP_PERCENTILE}th percentile of
 * its pixels (brighter ones are clamped), so one extreme cell does not darken everything else.
 *
 * @param length       tokens of the run (T)
 * @param size         thumbnail side in pixels ({@link ModelViewFigure#thumbSizeFor})
 * @param tiles        [layer · heads + head] → size² ARGB pixels, row-major (queries down, keys across)
 * @param firstKeyMass [layer][head] mean over all T queries of the weight on key 0
 */
public record ModelThumbnails(int layers, int heads, int length, int size, int[][] tiles, double[][] firstKeyMass) {

    /** The percentile of a head's pooled pixels its colour scale tops out at. */
    public static final int TOP_PERCENTILE = 99;

    public ModelThumbnails {
        if (tiles.length != layers * heads || firstKeyMass.length != layers) {
            throw new IllegalArgumentException("thumbnails for " + layers + " x " + heads + " heads expected");
        }
    }

    /** The thumbnails of every head of {@code attention}; heads are independent, so they are built in parallel. */
    public static ModelThumbnails of(AttentionMaps attention) {
        int layers = attention.layers();
        int heads = attention.heads();
        int t = attention.length();
        int size = ModelViewFigure.thumbSizeFor(heads, t);
        int[] from = new int[size + 1]; // pixel p covers rows (and columns) from[p] .. from[p + 1] − 1
        for (int p = 0; p <= size; p++) {
            from[p] = (int) ((long) p * t / size);
        }
        int[][] tiles = new int[layers * heads][];
        double[][] firstKey = new double[layers][heads];
        IntStream.range(0, layers * heads).parallel().forEach(m -> {
            Head head = t >= size ? binned(attention, m / heads, m % heads, size, from) : sampled(attention, m / heads, m % heads, size, from);
            tiles[m] = head.argb;
            firstKey[m / heads][m % heads] = head.firstKeyMass;
        });
        return new ModelThumbnails(layers, heads, t, size, tiles, firstKey);
    }

    /** The tile of head (layer, head): size² ARGB pixels (shared, not to be modified). */
    public int[] tile(int layer, int head) {
        return tiles[layer * heads + head];
    }

    private record Head(int[] argb, double firstKeyMass) {
    }

    /** T ≥ size: every cell lies in exactly one pixel; one pass over the rows keeps each pixel's largest cell. */
    private static Head binned(AttentionMaps attention, int layer, int head, int size, int[] from) {
        int t = attention.length();
        int[] pixelRow = new int[t];
        for (int p = 0; p < size; p++) {
            for (int q = from[p]; q < from[p + 1]; q++) {
                pixelRow[q] = p;
            }
        }
        float[] pooled = new float[size * size];
        double[] firstKey = {0};
        attention.readRows(layer, head, (q, values, offset) -> {
            firstKey[0] += values[offset];
            int base = pixelRow[q] * size;
            for (int px = 0; px < size; px++) {
                float m = pooled[base + px];
                for (int k = offset + from[px], end = offset + from[px + 1]; k < end; k++) {
                    float v = values[k];
                    m = v > m && v < Float.POSITIVE_INFINITY ? v : m;
                }
                pooled[base + px] = m;
            }
        });
        double top = topOf(pooled);
        int[] out = new int[size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = ColorScale.argb(pooled[i], top);
        }
        return new Head(out, firstKey[0] / t);
    }

    /** Where a head's colour scale tops out: the {@value #TOP_PERCENTILE}th percentile of its pixels (their largest if that is 0). */
    static double topOf(float[] pixels) {
        float[] sorted = pixels.clone();
        Arrays.sort(sorted);
        float top = sorted[Math.min(sorted.length - 1, (int) Math.ceil(TOP_PERCENTILE / 100.0 * sorted.length) - 1)];
        return top > 0 ? top : sorted[sorted.length - 1];
    }

    /** T &lt; size: each pixel shows the one cell it falls in (the head is small: read it whole). */
    private static Head sampled(AttentionMaps attention, int layer, int head, int size, int[] from) {
        int t = attention.length();
        float[] cells = new float[t * t];
        attention.readRows(layer, head, (q, values, offset) -> System.arraycopy(values, offset, cells, q * t, t));
        float max = 0;
        double firstKey = 0;
        for (int i = 0; i < t * t; i++) {
            max = cells[i] > max && cells[i] < Float.POSITIVE_INFINITY ? cells[i] : max;
        }
        for (int q = 0; q < t; q++) {
            firstKey += cells[q * t];
        }
        int[] out = new int[size * size];
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                out[py * size + px] = ColorScale.argb(cells[from[py] * t + from[px]], max);
            }
        }
        return new Head(out, firstKey / t);
    }
}
