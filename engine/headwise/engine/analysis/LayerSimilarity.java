package headwise.engine.analysis;

import headwise.engine.run.AttentionMaps;

/**
 * Cross-layer attention similarity (EchoAtt): cosine similarity between the flattened head-averaged attention
 * matrices of every pair of layers, [L][L]; optionally per head.
 */
public final class LayerSimilarity {

    private LayerSimilarity() {
    }

    public static double[][] of(AttentionMaps a) {
        return ofHeadAverages(AttentionStatistics.headAverages(a));
    }

    /** @param headAverages [layer][T·T] */
    public static double[][] ofHeadAverages(float[][] headAverages) {
        return cosines(headAverages);
    }

    /** Per-head variant: cosine between head h of layer l and head h' of layer l', [L·H][L·H] (index l·H + h). */
    public static double[][] perHead(AttentionMaps a) {
        int n = a.layers() * a.heads();
        float[][] heads = new float[n][];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                heads[l * a.heads() + h] = a.head(l, h);
            }
        }
        return cosines(heads);
    }

    /** Pairwise cosine similarity of the vectors; 0 where either vector is zero. */
    static double[][] cosines(float[][] vectors) {
        int n = vectors.length;
        double[] norms = new double[n];
        for (int a = 0; a < n; a++) {
            norms[a] = Math.sqrt(dot(vectors[a], vectors[a]));
        }
        double[][] out = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double c = norms[a] == 0 || norms[b] == 0 ? 0 : dot(vectors[a], vectors[b]) / (norms[a] * norms[b]);
                out[a][b] = c;
                out[b][a] = c;
            }
        }
        return out;
    }

    private static double dot(float[] x, float[] y) {
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            s += (double) x[k] * y[k];
        }
        return s;
    }
}
