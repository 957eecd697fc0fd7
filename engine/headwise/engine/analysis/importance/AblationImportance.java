package headwise.engine.analysis.importance;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.function.UnaryOperator;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Head importance by ablation (METHODS.md, Head importance): remove one head at {@code hook_z} and measure how
 * the output changes, for every (layer, head).
 * <p>
 * One clean run captures every layer's {@code resid_pre}. For layer l, a batch of copies of that residual stream
 * (batch element b ablates head b) runs from layer l with {@link Transformer#runFrom}, so the layers below are
 * never recomputed and one layer's heads share each matrix product. Copies are chunked so that a chunk's
 * estimated memory stays under {@link Options#memoryBudgetBytes}.
 * <p>
 * Precision: BLAS rounds a row of a batched product differently from the same row computed alone (about one
 * float32 ulp), so a head with no effect scores |Δloss| ≲ 1e-6 rather than exactly 0 (KL, computed in float64, ≲ 1e-10); the scores
 * agree with plain full re-runs per head to ~1e-5.
 */
public final class AblationImportance {

    /**
     * @param target            token/class id whose logit and probability are read; null = the clean run's argmax
     *                          at {@code position}
     * @param position          output row read for Δlogit/Δprob/KL; null = last (classifiers: their one row)
     * @param memoryBudgetBytes rough bound on the off-heap bytes one chunk of copies may use
     */
    public record Options(Integer target, Integer position, long memoryBudgetBytes) {
        public static Options defaults() {
            return new Options(null, null, 1L << 30);
        }

        public Options withTarget(Integer id) {
            return new Options(id, position, memoryBudgetBytes);
        }

        public Options withPosition(Integer row) {
            return new Options(target, row, memoryBudgetBytes);
        }

        public Options withMemoryBudget(long bytes) {
            return new Options(target, position, bytes);
        }
    }

    private AblationImportance() {
    }

    /** Ablation scores for every head of {@code model} on {@code input} (token ids, text or image). */
    public static AblationScores compute(LoadedModel model, ModelInput input, Interventions.Ablation mode, Options options) {
        Transformer transformer = model.transformer();
        if (input.pixels() != null) {
            INDArray embedded = PatchEmbedding.embed(model.spec(), transformer.weights().vision(), input.pixels());
            return compute(transformer, null, embedded, mode, options);
        }
        return compute(transformer, input.ids(), null, mode, options);
    }

    /** Ablation scores on token ids used exactly as given. */
    public static AblationScores compute(Transformer transformer, int[] ids, Interventions.Ablation mode, Options options) {
        return compute(transformer, ids, null, mode, options);
    }

    /**
     * @param ids      the token ids (needed for the LM losses); may be null for classifiers and encoders when
     *                 {@code embedded} is given
     * @param embedded [1, T, d] embeddings computed elsewhere (vision), or null to embed {@code ids}
     */
    public static AblationScores compute(Transformer transformer, int[] ids, INDArray embedded,
                                         Interventions.Ablation mode, Options options) {
        ModelSpec spec = transformer.spec();
        Readout readout = Readout.of(spec, transformer.weights());
        if (ids == null && (readout == Readout.NEXT_TOKEN || readout == Readout.SAME_TOKEN)) {
            throw new IllegalArgumentException("a language model's loss needs the token ids");
        }
        int layers = spec.layers();
        int heads = spec.heads();
        Hooks capture = Hooks.capturing(name -> name.endsWith("hook_resid_pre"));
        Transformer.Result clean = embedded != null
                ? transformer.runFromEmbeddings(embedded, capture)
                : transformer.run(new int[][] {ids}, capture);
        Scorer scorer = new Scorer(readout, ids, clean.output(), options);

        long length = clean.cache().get(HookNames.residPre(0)).size(1);
        long perCopy = bytesPerCopy(spec, length, clean.output());
        int maxBatch = (int) Math.max(1, Math.min(heads, options.memoryBudgetBytes() / Math.max(1, perCopy)));
        int chunks = (heads + maxBatch - 1) / maxBatch;
        int chunkSize = (heads + chunks - 1) / chunks; // even chunks

        double[][][] scores = new double[Scorer.MEASURES][layers][heads];
        for (int layer = 0; layer < layers; layer++) {
            INDArray residPre = clean.cache().get(HookNames.residPre(layer)); // [1, T, d]
            for (int first = 0; first < heads; first += chunkSize) {
                int count = Math.min(chunkSize, heads - first);
                int[] ablated = new int[count];
                for (int b = 0; b < count; b++) {
                    ablated[b] = first + b;
                }
                INDArray batch = Nd4j.concat(0, repeat(residPre, ablated.length));
                Hooks hooks = Hooks.none().intervene(HookNames.z(layer), perCopyAblation(mode, ablated));
                INDArray output = transformer.runFrom(layer, batch, hooks).output();
                for (int b = 0; b < count; b++) {
                    Scorer.Rows rows = scorer.rows(output, b);
                    double[] measures = scorer.score(scorer.cleanRows, rows);
                    rows.close();
                    for (int m = 0; m < Scorer.MEASURES; m++) {
                        scores[m][layer][first + b] = measures[m];
                    }
                }
                output.close();
                batch.close();
            }
        }
        boolean hidden = readout == Readout.HIDDEN;
        return new AblationScores(mode, readout, layers, heads, scorer.target, scorer.position,
                scorer.baselineLoss, scorer.baselineLogit, scorer.baselineProb,
                hidden ? null : scores[0], hidden ? null : scores[1], hidden ? null : scores[2],
                hidden ? null : scores[3], hidden ? null : scores[4], hidden ? scores[5] : null);
    }

    /**
     * The {@code hook_z} function of a batch of copies of one input: copy b has head {@code headOfCopy[b]} zeroed,
     * or replaced by its mean over positions (−1: copy b is left clean). z is [batch, pos, head, d_head]; the
     * argument is not modified.
     */
    public static UnaryOperator<INDArray> perCopyAblation(Interventions.Ablation mode, int... headOfCopy) {
        return z -> {
            if (z.size(0) != headOfCopy.length) {
                throw new IllegalArgumentException("hook_z batch " + z.size(0) + " but " + headOfCopy.length + " copies");
            }
            INDArray out = z.dup('c');
            for (int b = 0; b < headOfCopy.length; b++) {
                if (headOfCopy[b] < 0) {
                    continue;
                }
                INDArray slice = out.get(point(b), all(), point(headOfCopy[b]), all()); // [pos, d_head]
                if (mode == Interventions.Ablation.ZERO) {
                    slice.assign(0);
                } else {
                    INDArray mean = slice.mean(0); // [d_head]
                    slice.assign(0).addiRowVector(mean);
                }
            }
            return out;
        };
    }

    private static INDArray[] repeat(INDArray x, int count) {
        INDArray[] copies = new INDArray[count];
        java.util.Arrays.fill(copies, x);
        return copies;
    }

    /** Rough off-heap bytes one copy needs in one block plus its output (float32). */
    static long bytesPerCopy(ModelSpec spec, long t, INDArray cleanOutput) {
        long outputs = cleanOutput.size(1) * cleanOutput.size(2);
        long block = t * (12L * spec.dModel() + 3L * spec.dMlp() + 4L * spec.heads() * t);
        return 4 * (block + 2 * outputs);
    }

    /** Turns output rows into the measures. */
    private static final class Scorer {
        static final int MEASURES = 6;

        /** One copy's output [R, W] and (unless HIDDEN) its row-wise log-softmax and softmax. */
        record Rows(INDArray x, INDArray logProbs, INDArray probs) {
            void close() {
                for (INDArray a : new INDArray[] {x, logProbs, probs}) {
                    if (a != null) {
                        a.close();
                    }
                }
            }
        }

        final Readout readout;
        final int[] ids;
        final Rows cleanRows;
        final int rows;
        final int position;
        final int target;
        double baselineLoss = Double.NaN;
        double baselineLogit = Double.NaN;
        double baselineProb = Double.NaN;

        Scorer(Readout readout, int[] ids, INDArray cleanOutput, Options options) {
            this.readout = readout;
            this.ids = ids;
            this.cleanRows = rows(cleanOutput, 0);
            this.rows = (int) cleanRows.x().size(0);
            this.position = options.position() == null ? rows - 1 : options.position();
            if (position < 0 || position >= rows) {
                throw new IllegalArgumentException("position " + position + " outside 0.." + (rows - 1));
            }
            if (readout == Readout.HIDDEN) {
                this.target = -1;
                return;
            }
            INDArray clean = cleanRows.x();
            this.target = options.target() != null ? options.target() : clean.getRow(position).argMax().getInt(0);
            if (target < 0 || target >= clean.size(1)) {
                throw new IllegalArgumentException("target " + target + " outside 0.." + (clean.size(1) - 1));
            }
            baselineLoss = loss(cleanRows.logProbs());
            baselineLogit = clean.getDouble(position, target);
            baselineProb = cleanRows.probs().getDouble(position, target);
        }

        /** Batch element b of an output [batch, R, W], in float64 (KL of nearly equal distributions needs it). */
        Rows rows(INDArray output, int b) {
            INDArray x = output.get(point(b), all(), all()).castTo(DataType.DOUBLE).dup('c');
            if (readout == Readout.HIDDEN) {
                return new Rows(x, null, null);
            }
            INDArray logProbs = logSoftmax(x);
            return new Rows(x, logProbs, Transforms.exp(logProbs, true));
        }

        /** {Δloss, Δlogit, Δprob, KL at position, KL mean, hidden change} of {@code ablated} against {@code clean}. */
        double[] score(Rows clean, Rows ablated) {
            double[] m = new double[MEASURES];
            if (readout == Readout.HIDDEN) {
                INDArray diff = ablated.x().sub(clean.x());
                m[5] = diff.norm2Number().doubleValue();
                diff.close();
                return m;
            }
            m[0] = loss(ablated.logProbs()) - loss(clean.logProbs());
            m[1] = ablated.x().getDouble(position, target) - clean.x().getDouble(position, target);
            m[2] = ablated.probs().getDouble(position, target) - clean.probs().getDouble(position, target);
            INDArray kl = clean.logProbs().sub(ablated.logProbs()).muli(clean.probs()).sum(1); // [R]
            m[3] = Math.max(0, kl.getDouble(position));
            m[4] = Math.max(0, kl.meanNumber().doubleValue());
            kl.close();
            return m;
        }

        private double loss(INDArray logProbs) {
            if (readout == Readout.CLASS) {
                return -logProbs.getDouble(0, target);
            }
            double sum = 0;
            int n = 0;
            for (int t = 0; t < rows; t++) {
                int next = readout.lossTarget(ids, t);
                if (next >= 0) {
                    sum -= logProbs.getDouble(t, next);
                    n++;
                }
            }
            return n == 0 ? Double.NaN : sum / n;
        }

        /** Row-wise log-softmax of [R, W] (a new array). */
        static INDArray logSoftmax(INDArray x) {
            INDArray shifted = x.subColumnVector(x.max(true, 1));
            INDArray sum = Transforms.exp(shifted, true).sum(true, 1);
            return shifted.subiColumnVector(Transforms.log(sum, false));
        }
    }
}
