package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Attention with its keys grouped by token class: for every head and query row i, the attention the keys of each
 * class present get, {@code M^{l,h}_{i,c} = Σ_{j: class(j)=c} A^{l,h}_ij} (T × C, a row sums to what the attention row
 * sums to: 1, or less where keys were hidden). The one place attention is summed by key class:
 * {@link ClassShares} and the attention views' "keys by class" mode both use {@link #addRow}.
 *
 * @param present the classes some key has, in {@link TokenClass} order: the columns
 * @param length  T, the query rows
 * @param heads   heads per layer
 * @param maps    [layer · heads + head] → T·C, row-major (query, class)
 */
public record KeyClassMaps(TokenClass[] present, int length, int heads, float[][] maps) {

    public KeyClassMaps {
        present = present.clone();
    }

    @Override
    public TokenClass[] present() {
        return present.clone();
    }

    /** C: the number of classes present. */
    public int classes() {
        return present.length;
    }

    public int layers() {
        return maps.length / heads;
    }

    /** Head (layer, head)'s T × C map, row-major (shared, not to be modified). */
    public float[] head(int layer, int head) {
        return maps[layer * heads + head];
    }

    /** The summed attention of query {@code query} to the keys of class column {@code column} at head (layer, head). */
    public float at(int layer, int head, int query, int column) {
        return head(layer, head)[query * present.length + column];
    }

    /** [column] the mean over every query row of head (layer, head)'s class sums: the share each class gets. */
    public double[] shares(int layer, int head) {
        double[] out = new double[present.length];
        float[] m = head(layer, head);
        for (int q = 0; q < length; q++) {
            for (int c = 0; c < out.length; c++) {
                out[c] += m[q * out.length + c] / (double) length;
            }
        }
        return out;
    }

    /** [layer][column] the mean over heads of {@link #shares}: how a layer shares its attention out. */
    public double[][] layerShares() {
        double[][] out = new double[layers()][present.length];
        for (int l = 0; l < out.length; l++) {
            for (int h = 0; h < heads; h++) {
                double[] s = shares(l, h);
                for (int c = 0; c < s.length; c++) {
                    out[l][c] += s[c] / heads;
                }
            }
        }
        return out;
    }

    /** Every head of {@code maps}, keys grouped by {@code classes}; heads are independent, so built in parallel. */
    public static KeyClassMaps of(AttentionMaps maps, TokenClasses classes) {
        int t = maps.length();
        requireLength(t, classes);
        TokenClass[] present = present(classes);
        int[] column = columns(classes, present);
        int heads = maps.heads();
        float[][] out = new float[maps.layers() * heads][];
        IntStream.range(0, out.length).parallel().forEach(m -> {
            float[] sums = new float[t * present.length];
            double[] row = new double[present.length];
            maps.readRows(m / heads, m % heads, (q, values, offset) -> groupRow(values, offset, t, column, row, sums, q));
            out[m] = sums;
        });
        return new KeyClassMaps(present, t, heads, out);
    }

    /** One head's T × T matrix (row-major, row = query; e.g. with sink keys hidden) grouped by {@code classes}: one layer, one head. */
    public static KeyClassMaps ofHead(float[] matrix, int t, TokenClasses classes) {
        requireLength(t, classes);
        if (matrix.length < t * t) {
            throw new HeadwiseException("a " + t + " x " + t + " attention matrix needs " + t * t + " values, got " + matrix.length);
        }
        TokenClass[] present = present(classes);
        int[] column = columns(classes, present);
        float[] sums = new float[t * present.length];
        double[] row = new double[present.length];
        for (int q = 0; q < t; q++) {
            groupRow(matrix, q * t, t, column, row, sums, q);
        }
        return new KeyClassMaps(present, t, 1, new float[][] {sums});
    }

    /** Row {@code q} of the T × C map: the row's weights summed by class (in doubles, {@code row} the scratch) into {@code sums}. */
    private static void groupRow(float[] values, int offset, int t, int[] column, double[] row, float[] sums, int q) {
        Arrays.fill(row, 0);
        addRow(values, offset, t, column, row);
        for (int c = 0; c < row.length; c++) {
            sums[q * row.length + c] = (float) row[c];
        }
    }

    /** Adds the first {@code keys} weights of one attention row (from {@code offset}) into {@code into[column[key]]}. */
    public static void addRow(float[] values, int offset, int keys, int[] column, double[] into) {
        for (int j = 0; j < keys; j++) {
            into[column[j]] += values[offset + j];
        }
    }

    /** The classes some position of {@code classes} has, in {@link TokenClass} order. */
    public static TokenClass[] present(TokenClasses classes) {
        boolean[] has = new boolean[TokenClass.values().length];
        for (int j = 0; j < classes.length(); j++) {
            has[classes.at(j).ordinal()] = true;
        }
        return Arrays.stream(TokenClass.values()).filter(c -> has[c.ordinal()]).toArray(TokenClass[]::new);
    }

    /** For every position, the index of its class among {@code columns}. */
    public static int[] columns(TokenClasses classes, TokenClass[] columns) {
        int[] index = new int[TokenClass.values().length];
        Arrays.fill(index, -1);
        for (int c = 0; c < columns.length; c++) {
            index[columns[c].ordinal()] = c;
        }
        int[] out = new int[classes.length()];
        for (int j = 0; j < out.length; j++) {
            out[j] = index[classes.at(j).ordinal()];
            if (out[j] < 0) {
                throw new HeadwiseException("position " + j + " is " + classes.at(j) + ", which is not among the columns");
            }
        }
        return out;
    }

    private static void requireLength(int t, TokenClasses classes) {
        if (classes.length() != t) {
            throw new HeadwiseException("attention over " + t + " positions, token classes over " + classes.length());
        }
    }
}
