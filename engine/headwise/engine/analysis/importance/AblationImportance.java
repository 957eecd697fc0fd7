package headwise.engine.analysis.importance;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.KvCache;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.run.InputEmbeddings;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Head importance by ablation (METHODS.md, Head importance): remove one head at {@code hook_z} and measure how
 * the output changes, for every (layer, head).
 * <p>
 * One clean run captures every layer's {@code resid_mid} and {@code z}. Removing head h of layer l changes that
 * layer's attention output by exactly {@code −(z_h − r_h)·W_O^h} (r_h = 0 for zero ablation, the mean over positions
 * for mean ablation), so for a batch of copies (copy b removes head b) resid_mid is the clean one minus that, and
 * only the MLP half of layer l and the layers above run again, on a batch, with
 * {@link Transformer#mlpHalf} and {@link Transformer#block}: the layers below are never recomputed and one layer's
 * heads share each matrix product. Copies are chunked so that a chunk's estimated memory stays under
 * {@link Options#memoryBudgetBytes}. {@link Scope} chooses how much of the output is measured, which sets the cost.
 * <p>
 * Precision: BLAS rounds a row of a batched product differently from the same row computed alone (about one
 * float32 ulp), so a head with no effect scores |Δloss| ≲ 1e-6 rather than exactly 0 (KL, computed in float64, ≲ 1e-10); the scores
 * agree with plain full re-runs per head to ~1e-5.
 */
public final class AblationImportance {

    /**
     * What is removed and what is measured. All three are exact: the tests compare them with plain full forwards
     * whose hooks remove the head.
     */
    public enum Scope {
        /** The head is removed at every position; every measure (Δloss over all positions, KL at every row). */
        ALL,
        /**
         * The head is removed at every position; only the {@code position} row is measured (Δlogit, Δprob, KL; no
         * Δloss, no mean KL). The last layer and the unembedding run for that row alone (causal models: rows after
         * it are dropped everywhere). Language models only.
         */
        MEASURE_AT_POSITION,
        /**
         * The head is removed at the {@code position} row only, and measured there. In a causal model nothing else
         * changes, so the layers above run for that one row against the clean keys and values of the earlier
         * positions: a narrower intervention than {@link #ALL}, and much cheaper. Causal language models only.
         */
        ABLATE_AT_POSITION
    }

    /**
     * @param target            token/class id whose logit and probability are read; null = the clean run's argmax
     *                          at {@code position}
     * @param position          output row read for Δlogit/Δprob/KL; null = last (classifiers: their one row)
     * @param memoryBudgetBytes rough bound on the off-heap bytes one chunk of copies may use
     * @param scope             what is removed and measured ({@link Scope#ALL})
     */
    public record Options(Integer target, Integer position, long memoryBudgetBytes, Scope scope) {
        public Options(Integer target, Integer position, long memoryBudgetBytes) {
            this(target, position, memoryBudgetBytes, Scope.ALL);
        }

        public static Options defaults() {
            return new Options(null, null, 1L << 30, Scope.ALL);
        }

        public Options withTarget(Integer id) {
            return new Options(id, position, memoryBudgetBytes, scope);
        }

        public Options withPosition(Integer row) {
            return new Options(target, row, memoryBudgetBytes, scope);
        }

        public Options withMemoryBudget(long bytes) {
            return new Options(target, position, bytes, scope);
        }

        public Options withScope(Scope s) {
            return new Options(target, position, memoryBudgetBytes, s);
        }
    }

    private AblationImportance() {
    }

    /** Ablation scores for every head of {@code model} on {@code input} (token ids, text or image). */
    public static AblationScores compute(LoadedModel model, ModelInput input, Interventions.Ablation mode, Options options) {
        Transformer transformer = model.transformer();
        INDArray embedded = InputEmbeddings.of(transformer, input);
        if (embedded != null) {
            // a joined vision-language input keeps its ids for the language model's loss (image positions left out as
            // targets); an image's are placeholders
            return compute(transformer, input.embeddings() != null ? LossTargets.of(model, input) : null, embedded, mode, options);
        }
        return compute(transformer, input.ids(), null, mode, options);
    }

    /** Ablation scores on token ids used exactly as given. */
    public static AblationScores compute(Transformer transformer, int[] ids, Interventions.Ablation mode, Options options) {
        return compute(transformer, ids, null, mode, options);
    }

    /**
     * @param ids      the token ids (needed for the LM losses); may be null for classifiers and encoders when
     *                 {@code embedded} is given; with {@code embedded}, an id of −1 is a position no loss term
     *                 predicts (an image position of a joined input)
     * @param embedded [1, T, d] embeddings computed elsewhere (vision), or null to embed {@code ids}
     */
    public static AblationScores compute(Transformer transformer, int[] ids, INDArray embedded,
                                         Interventions.Ablation mode, Options options) {
        ModelSpec spec = transformer.spec();
        boolean linearShortcut = linearShortcut(transformer);
        Readout readout = Readout.of(spec, transformer.weights());
        if (ids == null && (readout == Readout.NEXT_TOKEN || readout == Readout.SAME_TOKEN)) {
            throw new IllegalArgumentException("a language model's loss needs the token ids");
        }
        Scope scope = options.scope();
        if (scope != Scope.ALL && readout != Readout.NEXT_TOKEN && readout != Readout.SAME_TOKEN) {
            throw new HeadwiseException("ablation scope " + scope + " needs a language model's output; "
                    + spec.architecture() + " gives " + readout.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        if (scope == Scope.ABLATE_AT_POSITION && !spec.causal()) {
            throw new HeadwiseException("ablation scope ABLATE_AT_POSITION needs a causal model (in " + spec.architecture()
                    + " every position sees the ablated one)");
        }
        int layers = spec.layers();
        int heads = spec.heads();
        int tokens = embedded != null ? (int) embedded.size(1) : ids.length;
        AblationMemory memory = memory(transformer, tokens, scope);
        MemoryBudget.checkNative(memory.peakBytes(spec, options), "head ablation of " + tokens + " tokens");
        Hooks capture = Hooks.capturing(name -> name.endsWith("hook_resid_mid") || name.endsWith("attn.hook_z")
                || (!linearShortcut && name.endsWith("hook_resid_pre"))
                || (scope == Scope.ABLATE_AT_POSITION && (name.endsWith("attn.hook_k") || name.endsWith("attn.hook_v"))));
        Transformer.Result clean = embedded != null
                ? transformer.runFromEmbeddings(embedded, capture)
                : transformer.run(new int[][] {ids}, capture);
        Scorer scorer = new Scorer(readout, ids, clean.output(), options);
        int position = scorer.position;
        ActivationCache cache = clean.cache();

        int length = (int) cache.get(HookNames.residMid(0)).size(1);
        // the residual rows the copies carry: all; up to the measured one (causal); or the measured one alone
        int rowsFrom = scope == Scope.ABLATE_AT_POSITION ? position : 0;
        int rowsTo = scope == Scope.ALL || !spec.causal() ? length : position + 1;
        int maxBatch = memory.copiesPerChunk(options.memoryBudgetBytes(), heads);
        int chunks = (heads + maxBatch - 1) / maxBatch;
        int chunkSize = (heads + chunks - 1) / chunks; // even chunks

        double[][][] scores = new double[Scorer.MEASURES][layers][heads];
        for (int layer = 0; layer < layers; layer++) {
            INDArray residMid = cache.get(HookNames.residMid(layer)).get(all(), interval(rowsFrom, rowsTo), all()); // [1, R, d]
            float[] z = cache.get(HookNames.z(layer)).dup('c').data().asFloat(); // [1, T, H, dh]
            INDArray wO = transformer.weights().layers().get(layer).o().weight(); // [H·dh, d]
            INDArray residPre = linearShortcut ? null
                    : cache.get(HookNames.residPre(layer)).get(all(), interval(rowsFrom, rowsTo), all()); // [1, R, d]
            for (int first = 0; first < heads; first += chunkSize) {
                int count = Math.min(chunkSize, heads - first);
                INDArray[] mids = new INDArray[count];
                for (int b = 0; b < count; b++) {
                    mids[b] = linearShortcut
                            ? residMid.sub(removed(z, heads, wO, first + b, spec.dHead(), mode, rowsFrom, rowsTo))
                            : residPre.add(transformer.attentionOutput(layer,
                                    ablatedZ(z, heads, first + b, spec.dHead(), mode, rowsFrom, rowsTo)));
                }
                INDArray batch = stacked(mids); // [count, R, d]
                close(mids);
                INDArray pres = linearShortcut ? null : repeat(residPre, count);
                INDArray output = null;
                try {
                    output = upperLayers(transformer, scope, layer, batch, pres, position - rowsFrom, cache, count, position);
                    for (int b = 0; b < count; b++) {
                        Scorer.Rows rows = scorer.rows(output, b);
                        try {
                            double[] measures = scorer.score(scorer.cleanRows, rows);
                            for (int m = 0; m < Scorer.MEASURES; m++) {
                                scores[m][layer][first + b] = measures[m];
                            }
                        } finally {
                            rows.close();
                        }
                    }
                } finally { // native memory now, not at the next collection: the next chunk's estimate assumes it
                    if (output != null) {
                        transformer.recycleOutput(output); // a view of the logits: close() would not free them; the next chunk reuses them
                    }
                    close(batch, pres);
                }
            }
        }
        boolean hidden = readout == Readout.HIDDEN;
        boolean all = scope == Scope.ALL;
        return new AblationScores(mode, readout, layers, heads, scorer.target, scorer.position,
                scorer.baselineLoss, scorer.baselineLogit, scorer.baselineProb,
                hidden || !all ? null : scores[0], hidden ? null : scores[1], hidden ? null : scores[2],
                hidden ? null : scores[3], hidden || !all ? null : scores[4], hidden ? scores[5] : null, scope);
    }

    /** The native memory a run on {@code tokens} tokens in {@code scope} allocates ({@link AblationMemory}). */
    public static AblationMemory memory(Transformer transformer, int tokens, Scope scope) {
        return AblationMemory.of(transformer.spec(), tokens, scope, linearShortcut(transformer));
    }

    /**
     * Gemma-2/3's norm on the attention output makes resid_mid no longer linear in z, and GPT-NeoX's parallel MLP
     * reads resid_pre: those copies rebuild resid_mid from resid_pre and the ablated z instead of subtracting.
     */
    private static boolean linearShortcut(Transformer transformer) {
        return !transformer.spec().variant().parallelResidual()
                && transformer.weights().layers().stream().allMatch(w -> w.postAttnNorm() == null);
    }

    /**
     * What removing head {@code head} takes out of the attention output, rows [from, to): {@code (z_h − r_h)·W_O^h},
     * r_h = 0 (zero) or z_h's mean over all positions (mean); [1, R, d]. {@code z} is [T, H, dh] row-major.
     */
    private static INDArray removed(float[] z, int heads, INDArray wO, int head, int dHead, Interventions.Ablation mode,
                                    int from, int to) {
        double[] mean = replacement(z, heads, head, dHead, mode);
        float[] part = new float[(to - from) * dHead];
        for (int t = from; t < to; t++) {
            for (int c = 0; c < dHead; c++) {
                part[(t - from) * dHead + c] = (float) (z[(t * heads + head) * dHead + c] - mean[c]);
            }
        }
        INDArray rows = Nd4j.create(part, new long[] {to - from, dHead}, 'c')
                .mmul(wO.get(interval((long) head * dHead, (long) (head + 1) * dHead), all()));
        return rows.reshape(1, to - from, wO.size(1));
    }

    /** What head {@code head}'s z is replaced by: 0 (zero ablation) or its mean over all positions (mean). */
    private static double[] replacement(float[] z, int heads, int head, int dHead, Interventions.Ablation mode) {
        int length = z.length / (heads * dHead);
        double[] mean = new double[dHead];
        if (mode == Interventions.Ablation.MEAN) {
            for (int t = 0; t < length; t++) {
                for (int c = 0; c < dHead; c++) {
                    mean[c] += z[(t * heads + head) * dHead + c];
                }
            }
            for (int c = 0; c < dHead; c++) {
                mean[c] /= length;
            }
        }
        return mean;
    }

    /** z [T, H, dh] rows [from, to) with head {@code head} replaced (zero or mean), as [1, R, H, dh]. */
    private static INDArray ablatedZ(float[] z, int heads, int head, int dHead, Interventions.Ablation mode, int from, int to) {
        double[] replacement = replacement(z, heads, head, dHead, mode);
        float[] rows = java.util.Arrays.copyOfRange(z, from * heads * dHead, to * heads * dHead);
        for (int t = 0; t < to - from; t++) {
            for (int c = 0; c < dHead; c++) {
                rows[(t * heads + head) * dHead + c] = (float) replacement[c];
            }
        }
        return Nd4j.create(rows, new long[] {1, to - from, heads, dHead}, 'c');
    }

    /**
     * The output of a batch of copies whose resid_mid of {@code layer} is {@code mids} [count, R, d]: the rest of
     * that layer and the layers above, as much as {@code scope} needs. {@code row} is the measured row within R.
     * {@code pres}: the copies' resid_pre of that layer, which a parallel residual's MLP reads (else null).
     */
    private static INDArray upperLayers(Transformer t, Scope scope, int layer, INDArray mids, INDArray pres, int row,
                                        ActivationCache clean, int count, int position) {
        int last = t.spec().layers() - 1;
        Hooks none = Hooks.none();
        switch (scope) {
            case ALL -> { // the layers above run in the forward's block arena: only the residual outlives a block
                INDArray resid = secondHalf(t, layer, mids, pres);
                try {
                    return t.runFrom(layer + 1, resid, none).output();
                } finally {
                    resid.close();
                }
            }
            case MEASURE_AT_POSITION -> {
                if (layer == last) {
                    return t.unembed(secondHalf(t, layer, mids.get(all(), interval(row, row + 1), all()),
                            pres == null ? null : pres.get(all(), interval(row, row + 1), all())), none, new ActivationCache());
                }
                INDArray resid = secondHalf(t, layer, mids, pres);
                for (int l = layer + 1; l < last; l++) {
                    resid = t.block(l, resid, none, new ActivationCache());
                }
                return t.unembed(t.blockRows(last, resid, row, row + 1), none, new ActivationCache());
            }
            default -> { // ABLATE_AT_POSITION: one row, against the clean keys and values of the positions before it
                INDArray resid = secondHalf(t, layer, mids, pres); // [count, 1, d]
                INDArray[] keys = new INDArray[last + 1];
                INDArray[] values = new INDArray[last + 1];
                for (int l = layer + 1; l <= last && position > 0; l++) {
                    keys[l] = repeat(clean.get(HookNames.k(l)).get(all(), interval(0, position), all(), all()), count);
                    values[l] = repeat(clean.get(HookNames.v(l)).get(all(), interval(0, position), all(), all()), count);
                }
                return t.runFrom(layer + 1, resid, none, KvCache.of(keys, values, position)).output();
            }
        }
    }

    private static INDArray secondHalf(Transformer t, int layer, INDArray mids, INDArray pres) {
        return pres == null ? t.mlpHalf(layer, mids) : t.mlpHalf(layer, mids, pres);
    }

    /** {@code count} copies of x [1, …] stacked along dimension 0. */
    private static INDArray repeat(INDArray x, int count) {
        INDArray[] copies = new INDArray[count];
        java.util.Arrays.fill(copies, x);
        return stacked(copies);
    }

    /**
     * The arrays stacked along dimension 0, always a new array: Nd4j.concat hands back a lone array itself, which
     * the caller then closed with the parts (a one-copy chunk, as long inputs get: "Unable to wrap closed buffer").
     */
    private static INDArray stacked(INDArray[] arrays) {
        return arrays.length == 1 ? arrays[0].dup() : Nd4j.concat(0, arrays);
    }

    /** Closes the arrays given (nulls skipped). */
    private static void close(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed()) {
                a.close();
            }
        }
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
        /** the measured row within a copy's output: {@code position}, or 0 when only that row is computed */
        final int at;
        final boolean allRows;
        final int target;
        double baselineLoss = Double.NaN;
        double baselineLogit = Double.NaN;
        double baselineProb = Double.NaN;

        Scorer(Readout readout, int[] ids, INDArray cleanOutput, Options options) {
            this.readout = readout;
            this.ids = ids;
            this.rows = (int) cleanOutput.size(1);
            this.position = options.position() == null ? rows - 1 : options.position();
            if (position < 0 || position >= rows) {
                throw new IllegalArgumentException("position " + position + " outside 0.." + (rows - 1));
            }
            this.allRows = options.scope() == Scope.ALL;
            this.at = allRows ? position : 0;
            Rows all = rows(cleanOutput, 0);
            if (allRows) {
                this.cleanRows = all;
            } else {
                this.baselineLoss = loss(all.logProbs());
                this.cleanRows = rows(cleanOutput.get(all(), interval(position, position + 1), all()), 0);
                all.close();
            }
            if (readout == Readout.HIDDEN) {
                this.target = -1;
                return;
            }
            INDArray clean = cleanRows.x();
            this.target = options.target() != null ? options.target() : clean.getRow(at).argMax().getInt(0);
            if (target < 0 || target >= clean.size(1)) {
                throw new IllegalArgumentException("target " + target + " outside 0.." + (clean.size(1) - 1));
            }
            if (allRows) {
                baselineLoss = loss(cleanRows.logProbs());
            }
            baselineLogit = clean.getDouble(at, target);
            baselineProb = cleanRows.probs().getDouble(at, target);
        }

        /** Batch element b of an output [batch, R, W], in float64 (KL of nearly equal distributions needs it). */
        Rows rows(INDArray output, int b) {
            INDArray slice = output.get(point(b), all(), all());
            INDArray x = Nd4j.createUninitialized(DataType.DOUBLE, slice.shape(), 'c').assign(slice); // no float32 copy between
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
            m[0] = allRows ? loss(ablated.logProbs()) - loss(clean.logProbs()) : Double.NaN;
            m[1] = ablated.x().getDouble(at, target) - clean.x().getDouble(at, target);
            m[2] = ablated.probs().getDouble(at, target) - clean.probs().getDouble(at, target);
            INDArray terms = clean.logProbs().sub(ablated.logProbs()).muli(clean.probs());
            INDArray kl = terms.sum(1); // [R]
            m[3] = Math.max(0, kl.getDouble(at));
            m[4] = allRows ? Math.max(0, kl.meanNumber().doubleValue()) : Double.NaN;
            close(terms, kl);
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
            INDArray max = x.max(true, 1);
            INDArray shifted = x.subColumnVector(max);
            INDArray exp = Transforms.exp(shifted, true);
            INDArray sum = exp.sum(true, 1);
            shifted.subiColumnVector(Transforms.log(sum, false));
            close(max, exp, sum);
            return shifted;
        }
    }
}
