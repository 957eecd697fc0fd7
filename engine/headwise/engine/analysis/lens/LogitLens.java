package headwise.engine.analysis.lens;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.flow.LayerActivations;
import headwise.engine.analysis.flow.LayerTap;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Ops;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.List;

/**
 * The logit lens (nostalgebraist 2020): read every layer's residual stream through the model's own output,
 * logits^l = W_U · LN_final(x^l) (+ the unembedding's bias, if any), with the final norm recomputed on x^l. Row 0 is
 * the embedding (resid_pre of layer 0), row l the residual after block l (resid_post); row L is the model's own output.
 * p^l = softmax(logits^l); the "final top" token of a position is argmax p^L.
 *
 * @param rows         L + 1
 * @param topIds       [L+1][T][k] the k most probable tokens, most probable first
 * @param topProbs     [L+1][T][k] their probabilities
 * @param finalTop     [T] argmax of p^L
 * @param finalTopRank [L+1][T] 1 + the number of tokens strictly more probable than the final top token (1 = top)
 * @param finalTopProb [L+1][T] p^l of the final top token
 * @param kl           [L+1][T] KL(p^l ‖ p^L), natural log
 */
public record LogitLens(int rows, int tokens, int k, int[][][] topIds, double[][][] topProbs, int[] finalTop,
                        int[][] finalTopRank, double[][] finalTopProb, double[][] kl) {

    public static final int DEFAULT_TOP_K = 5;

    /** Logit rows computed at once: bounds the [rows, vocab] temporaries (~16 MB of logits). */
    private static final long CHUNK_VALUES = 1L << 22;

    /** KL(p^l ‖ p^L) averaged over positions, per row. */
    public double[] meanKl() {
        double[] out = new double[rows];
        for (int l = 0; l < rows; l++) {
            double sum = 0;
            for (double x : kl[l]) {
                sum += x;
            }
            out[l] = sum / tokens;
        }
        return out;
    }

    /** One forward of {@code model} on {@code input}, then the lens on every layer. */
    public static LogitLens compute(LoadedModel model, ModelInput input, int k) {
        Collector c = collector(model.spec(), model.transformer().weights(), input.length(), k);
        LayerTap.run(model, input, Collector.PARTS, List.of(c));
        return c.result();
    }

    /** A clear error for models without an unembedding (bare encoders, classifiers). */
    public static Collector collector(ModelSpec spec, ModelWeights weights, int tokens, int k) {
        requireLanguageModel(spec, weights);
        if (k < 1 || k > spec.vocabSize()) {
            throw new HeadwiseException("logit lens: top-k " + k + " must be in 1.." + spec.vocabSize());
        }
        return new Collector(spec, weights, tokens, k);
    }

    static void requireLanguageModel(ModelSpec spec, ModelWeights weights) {
        if (spec.output() != ModelSpec.Output.LM_LOGITS || weights.unembed() == null) {
            String what = spec.output() == ModelSpec.Output.CLASS_LOGITS ? "a classifier" : "an encoder without an unembedding";
            throw new HeadwiseException("logit lens: " + spec.architecture() + " is " + what
                    + "; the logit lens reads layers through a language model's vocabulary projection");
        }
    }

    /** Keeps the residual stream of every layer as {@link LayerTap} delivers it ([L+1, T, d] floats). */
    public static final class Collector implements java.util.function.Consumer<LayerActivations> {

        public static final EnumSet<LayerActivations.Part> PARTS = EnumSet.of(LayerActivations.Part.RESID_PRE,
                LayerActivations.Part.RESID_POST);

        private final ModelSpec spec;
        private final ModelWeights weights;
        private final int tokens;
        private final int k;
        private final float[][] residuals;

        private Collector(ModelSpec spec, ModelWeights weights, int tokens, int k) {
            this.spec = spec;
            this.weights = weights;
            this.tokens = tokens;
            this.k = k;
            this.residuals = new float[spec.layers() + 1][];
        }

        @Override
        public void accept(LayerActivations a) {
            if (a.layer() == 0) {
                residuals[0] = a.residPre();
            }
            residuals[a.layer() + 1] = a.residPost();
        }

        public LogitLens result() {
            return of(spec, weights, residuals, tokens, k);
        }
    }

    /** @param residuals [L+1][T·d]: the embedding, then each layer's resid_post */
    public static LogitLens of(ModelSpec spec, ModelWeights weights, float[][] residuals, int tokens, int k) {
        requireLanguageModel(spec, weights);
        int rows = residuals.length;
        int last = rows - 1;
        int[][][] topIds = new int[rows][tokens][];
        double[][][] topProbs = new double[rows][tokens][];
        int[] finalTop = new int[tokens];
        int[][] rank = new int[rows][tokens];
        double[][] prob = new double[rows][tokens];
        double[][] kl = new double[rows][tokens];
        int vocab = (int) weights.unembed().weight().size(1);
        int chunk = (int) Math.max(1, Math.min(tokens, CHUNK_VALUES / vocab));
        for (int start = 0; start < tokens; start += chunk) {
            int count = Math.min(chunk, tokens - start);
            double[][] finalLogProbs = logProbabilities(spec, weights, residuals[last], start, count);
            for (int t = 0; t < count; t++) {
                finalTop[start + t] = argmax(finalLogProbs[t]);
            }
            for (int l = 0; l < rows; l++) {
                double[][] lp = l == last ? finalLogProbs : logProbabilities(spec, weights, residuals[l], start, count);
                for (int t = 0; t < count; t++) {
                    int pos = start + t;
                    double[] row = lp[t];
                    int[] ids = top(row, k);
                    topIds[l][pos] = ids;
                    double[] p = new double[k];
                    for (int r = 0; r < k; r++) {
                        p[r] = Math.exp(row[ids[r]]);
                    }
                    topProbs[l][pos] = p;
                    double target = row[finalTop[pos]];
                    int above = 0;
                    double divergence = 0;
                    double[] fin = finalLogProbs[t];
                    for (int v = 0; v < row.length; v++) {
                        if (row[v] > target) {
                            above++;
                        }
                        double pv = Math.exp(row[v]);
                        if (pv > 0) {
                            divergence += pv * (row[v] - fin[v]);
                        }
                    }
                    rank[l][pos] = above + 1;
                    prob[l][pos] = Math.exp(target);
                    kl[l][pos] = Math.max(0, divergence);
                }
            }
        }
        return new LogitLens(rows, tokens, k, topIds, topProbs, finalTop, rank, prob, kl);
    }

    /**
     * log softmax(W_U · LN_final(x) + b) for positions [start, start + count) of one residual stream [T·d], in
     * double from float32 logits: [count][vocab].
     */
    public static double[][] logProbabilities(ModelSpec spec, ModelWeights weights, float[] residual, int start, int count) {
        int d = spec.dModel();
        float[] rows = java.util.Arrays.copyOfRange(residual, start * d, (start + count) * d);
        INDArray x = Nd4j.create(rows, new long[] {count, d}, 'c');
        if (weights.finalNorm() != null) {
            x = spec.norm() == ModelSpec.Norm.RMS_NORM
                    ? Ops.rmsNorm(x, weights.finalNorm(), spec.normEps())
                    : Ops.layerNorm(x, weights.finalNorm(), spec.normEps());
        }
        INDArray logits = Ops.linear(x, weights.unembed());
        float[] flat = logits.dup('c').castTo(DataType.FLOAT).data().asFloat();
        int vocab = flat.length / count;
        double[][] out = new double[count][vocab];
        for (int t = 0; t < count; t++) {
            double max = Double.NEGATIVE_INFINITY;
            int base = t * vocab;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, flat[base + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(flat[base + v] - max);
            }
            double logZ = max + Math.log(z);
            double[] row = out[t];
            for (int v = 0; v < vocab; v++) {
                row[v] = flat[base + v] - logZ;
            }
        }
        return out;
    }

    private static int argmax(double[] row) {
        int best = 0;
        for (int v = 1; v < row.length; v++) {
            if (row[v] > row[best]) {
                best = v;
            }
        }
        return best;
    }

    /** Indices of the k largest values, largest first (ties: lower index first). */
    static int[] top(double[] row, int k) {
        int[] ids = new int[k];
        double[] vals = new double[k];
        int n = 0;
        for (int v = 0; v < row.length; v++) {
            double x = row[v];
            if (n == k && x <= vals[k - 1]) {
                continue;
            }
            int at = Math.min(n, k - 1);
            while (at > 0 && vals[at - 1] < x) {
                vals[at] = vals[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            vals[at] = x;
            ids[at] = v;
            if (n < k) {
                n++;
            }
        }
        return ids;
    }
}
