package headwise.engine.analysis;

import headwise.engine.run.AttentionMaps;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention rollout (Abnar &amp; Zuidema 2020): Ā^l = mean_h A^{l,h}, Â^l = 0.5(Ā^l + I) with rows renormalised to
 * sum to 1, R = Â^L ⋯ Â^1 (R_ij: how much output position i draws on input token j).
 * <p>
 * Building one holds the head-averaged attention (L·T² floats); {@link #row} then costs O(L·T²), so a view asks only
 * for the rows it shows. {@link #full} multiplies all L matrices (O(L·T³), in double precision).
 */
public final class Rollout {

    private final int layers;
    private final int length;
    private final float[][] average; // [layer][T·T]
    private final double[][] rowScale; // [layer][T]: 1 / Σ_j (0.5 Ā_ij + 0.5 δ_ij)

    private Rollout(float[][] average, int length) {
        this.layers = average.length;
        this.length = length;
        this.average = average;
        this.rowScale = new double[layers][length];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < length; i++) {
                double sum = 0.5;
                for (int j = 0; j < length; j++) {
                    sum += 0.5 * average[l][i * length + j];
                }
                rowScale[l][i] = 1.0 / sum;
            }
        }
    }

    public static Rollout of(AttentionMaps a) {
        return new Rollout(AttentionStatistics.headAverages(a), a.length());
    }

    /** @param headAverages [layer][T·T], as {@link AttentionStatistics#headAverages} gives (not copied) */
    public static Rollout ofHeadAverages(float[][] headAverages, int length) {
        return new Rollout(headAverages, length);
    }

    public int length() {
        return length;
    }

    /** Â^l_ij. */
    public double augmented(int layer, int i, int j) {
        return (0.5 * average[layer][i * length + j] + (i == j ? 0.5 : 0)) * rowScale[layer][i];
    }

    /** Row {@code query} of R = Â^L ⋯ Â^1, [T], in O(L·T²). */
    public double[] row(int query) {
        return row(query, layers);
    }

    /** Row {@code query} of the rollout through the first {@code upToLayers} layers, Â^{upTo} ⋯ Â^1. */
    public double[] row(int query, int upToLayers) {
        if (query < 0 || query >= length || upToLayers < 0 || upToLayers > layers) {
            throw new IllegalArgumentException("no rollout row " + query + " through " + upToLayers + " layers");
        }
        double[] r = new double[length];
        r[query] = 1;
        double[] next = new double[length];
        for (int l = upToLayers - 1; l >= 0; l--) {
            java.util.Arrays.fill(next, 0);
            float[] avg = average[l];
            for (int j = 0; j < length; j++) {
                double rj = r[j];
                if (rj == 0) {
                    continue;
                }
                double s = rj * rowScale[l][j];
                int base = j * length;
                for (int k = 0; k < length; k++) {
                    next[k] += s * 0.5 * avg[base + k];
                }
                next[j] += s * 0.5;
            }
            double[] swap = r;
            r = next;
            next = swap;
        }
        return r;
    }

    /** The whole R [T][T]. */
    public double[][] full() {
        INDArray r = null;
        for (int l = layers - 1; l >= 0; l--) {
            double[] m = new double[length * length];
            for (int i = 0; i < length; i++) {
                for (int j = 0; j < length; j++) {
                    m[i * length + j] = augmented(l, i, j);
                }
            }
            INDArray a = Nd4j.create(m, new long[] {length, length}, DataType.DOUBLE);
            r = r == null ? a : r.mmul(a);
        }
        double[][] out = new double[length][];
        if (r == null) {
            for (int i = 0; i < length; i++) {
                out[i] = new double[length];
                out[i][i] = 1;
            }
            return out;
        }
        double[] flat = r.dup('c').data().asDouble();
        for (int i = 0; i < length; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * length, (i + 1) * length);
        }
        return out;
    }
}
