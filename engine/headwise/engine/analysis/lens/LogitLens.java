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
 * Positions {@code first} … {@code first + tokens − 1} are read (all of them unless a caller caps the cost: each
 * position costs L + 1 vocabulary projections); arrays index them from 0.
 *
 * @param rows         L + 1
 * @param tokens       positions read
 * @param topIds       [L+1][T][k] the k most probable tokens, most probable first
 * @param topProbs     [L+1][T][k] their probabilities
 * @param finalTop     [T] argmax of p^L
 * @param finalTopRank [L+1][T] 1 + the number of tokens strictly more probable than the final top token (1 = top)
 * @param finalTopProb [L+1][T] p^l of the final top token
 * @param kl           [L+1][T] KL(p^l ‖ p^L), natural log
 */
public record LogitLens(int rows, int tokens, int k, int[][][] topIds, double[][][] topProbs, int[] finalTop,
                        int[][] finalTopRank, double[][] finalTopProb, double[][] kl, int first) {

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
        return collector(spec, weights, tokens, k, tokens);
    }

    /** A collector reading only the last {@code maxPositions} positions (of {@code tokens}). */
    public static Collector collector(ModelSpec spec, ModelWeights weights, int tokens, int k, int maxPositions) {
        requireLanguageModel(spec, weights);
        if (k < 1 || k > spec.vocabSize()) {
            throw new HeadwiseException("logit lens: top-k " + k + " must be in 1.." + spec.vocabSize());
        }
        if (maxPositions < 1) {
            throw new HeadwiseException("logit lens: positions must be 1 or more, is " + maxPositions);
        }
        return new Collector(spec, weights, tokens, k, Math.max(0, tokens - maxPositions));
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
        private final int first;
        private final float[][] residuals;

        private Collector(ModelSpec spec, ModelWeights weights, int tokens, int k, int first) {
            this.spec = spec;
            this.weights = weights;
            this.tokens = tokens;
            this.k = k;
            this.first = first;
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
            return of(spec, weights, residuals, tokens, k, first);
        }
    }

    /** @param residuals [L+1][T·d]: the embedding, then each layer's resid_post */
    public static LogitLens of(ModelSpec spec, ModelWeights weights, float[][] residuals, int tokens, int k) {
        return of(spec, weights, residuals, tokens, k, 0);
    }

    /** The lens on positions {@code first} … tokens − 1 only. */
    public static LogitLens of(ModelSpec spec, ModelWeights weights, float[][] residuals, int allTokens, int k, int first) {
        requireLanguageModel(spec, weights);
        int tokens = allTokens - first;
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
        double[] exp = new double[vocab];
        for (int start = 0; start < tokens; start += chunk) {
            int count = Math.min(chunk, tokens - start);
            double[][] finalLogProbs = logProbabilities(spec, weights, residuals[last], first + start, count);
            for (int t = 0; t < count; t++) {
                finalTop[start + t] = argmax(finalLogProbs[t]);
            }
            for (int l = 0; l < rows; l++) {
                float[] logits = logits(spec, weights, residuals[l], first + start, count);
                for (int t = 0; t < count; t++) {
                    int pos = start + t;
                    int base = t * vocab;
                    // one exp per entry: p_v = e_v / z and log p_v = x_v − log z
                    double logZ = logNormaliser(logits, base, vocab, exp);
                    double z = Math.exp(logZ - max(logits, base, vocab));
                    double[] fin = finalLogProbs[t];
                    float target = logits[base + finalTop[pos]];
                    int above = 0;
                    double divergence = 0;
                    for (int v = 0; v < vocab; v++) {
                        float x = logits[base + v];
                        if (x > target) {
                            above++;
                        }
                        double p = exp[v] / z;
                        if (p > 0) {
                            divergence += p * ((x - logZ) - fin[v]);
                        }
                    }
                    int[] ids = top(logits, base, vocab, k);
                    double[] p = new double[k];
                    for (int r = 0; r < k; r++) {
                        p[r] = Math.exp(logits[base + ids[r]] - logZ);
                    }
                    topIds[l][pos] = ids;
                    topProbs[l][pos] = p;
                    rank[l][pos] = above + 1;
                    prob[l][pos] = Math.exp(target - logZ);
                    kl[l][pos] = l == last ? 0 : Math.max(0, divergence);
                }
            }
        }
        return new LogitLens(rows, tokens, k, topIds, topProbs, finalTop, rank, prob, kl, first);
    }

    /**
     * log softmax(W_U · LN_final(x) + b) for positions [start, start + count) of one residual stream [T·d], in
     * double from float32 logits: [count][vocab].
     */
    public static double[][] logProbabilities(ModelSpec spec, ModelWeights weights, float[] residual, int start, int count) {
        float[] logits = logits(spec, weights, residual, start, count);
        int vocab = logits.length / count;
        double[] scratch = new double[vocab];
        double[][] out = new double[count][vocab];
        for (int t = 0; t < count; t++) {
            double logZ = logNormaliser(logits, t * vocab, vocab, scratch);
            for (int v = 0; v < vocab; v++) {
                out[t][v] = logits[t * vocab + v] - logZ;
            }
        }
        return out;
    }

    /**
     * W_U · LN_final(x) + b for positions [start, start + count), float32, [count·vocab] row-major; through OPT's
     * project_out and Gemma-2's final soft-cap where the model has them, as the forward's unembedding.
     */
    private static float[] logits(ModelSpec spec, ModelWeights weights, float[] residual, int start, int count) {
        int d = spec.dModel();
        float[] rows = java.util.Arrays.copyOfRange(residual, start * d, (start + count) * d);
        INDArray x = Nd4j.create(rows, new long[] {count, d}, 'c');
        if (weights.finalNorm() != null) {
            x = spec.norm() == ModelSpec.Norm.RMS_NORM
                    ? Ops.rmsNorm(x, weights.finalNorm(), spec.normEps())
                    : Ops.layerNorm(x, weights.finalNorm(), spec.normEps());
        }
        if (weights.projectOut() != null) {
            x = Ops.linear(x, weights.projectOut());
        }
        INDArray logits = Ops.linear(x, weights.unembed()).dup('c').castTo(DataType.FLOAT);
        if (spec.variant().logitSoftcap() > 0) {
            Ops.softcapInPlace(logits, spec.variant().logitSoftcap());
        }
        return logits.data().asFloat();
    }

    private static float max(float[] values, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < length; v++) {
            max = Math.max(max, values[offset + v]);
        }
        return max;
    }

    /** log Σ_v exp(x_v) over one row, leaving exp(x_v − max) in {@code exp}. */
    private static double logNormaliser(float[] logits, int offset, int length, double[] exp) {
        float max = max(logits, offset, length);
        double z = 0;
        for (int v = 0; v < length; v++) {
            exp[v] = Math.exp(logits[offset + v] - (double) max);
            z += exp[v];
        }
        return max + Math.log(z);
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

    /** Indices (relative to offset) of the k largest of values[offset, offset + length), largest first; ties: lower index first. */
    static int[] top(float[] values, int offset, int length, int k) {
        int[] ids = new int[k];
        float[] best = new float[k];
        int n = 0;
        for (int v = 0; v < length; v++) {
            float x = values[offset + v];
            if (n == k && x <= best[k - 1]) {
                continue;
            }
            int at = Math.min(n, k - 1);
            while (at > 0 && best[at - 1] < x) {
                best[at] = best[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            best[at] = x;
            ids[at] = v;
            if (n < k) {
                n++;
            }
        }
        return ids;
    }
}
