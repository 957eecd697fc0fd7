package headwise.engine.model;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.CancellationException;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The one transformer forward every family runs, with TransformerLens's hook points.
 * Residual stream values at hook points are [batch, pos, d_model]; one batch holds sequences of equal length.
 * With a {@link KvCache}, a causal model runs only the new positions against the cached keys and values.
 * How it computes (block sizes, workspaces) is its {@link ForwardOptions}; each run takes one {@link AttentionPath}.
 */
public final class Transformer {

    private final ModelSpec spec;
    private final ModelWeights weights;
    private final ForwardOptions options;
    private final boolean logits;
    private final FusedQkv fusedQkv;
    final SpareOutput spareOutput = new SpareOutput(); // package-private for tests
    private final Attention perHead;
    private final Attention batched;
    private final Attention queryBlocks;

    public Transformer(ModelSpec spec, ModelWeights weights) {
        this(spec, weights, ForwardOptions.defaults(), true, new FusedQkv(weights));
    }

    private Transformer(ModelSpec spec, ModelWeights weights, ForwardOptions options, boolean logits, FusedQkv fusedQkv) {
        this.spec = spec;
        this.weights = weights;
        this.options = options;
        this.logits = logits;
        this.fusedQkv = fusedQkv;
        AttentionScores scores = new AttentionScores(spec);
        perHead = new PerHeadAttention(spec, options, scores);
        batched = new BatchedAttention(spec, scores);
        queryBlocks = new QueryBlockAttention(spec, options, scores);
    }

    /** The same model (weights shared, not copied) running with other options. */
    public Transformer withOptions(ForwardOptions other) {
        return new Transformer(spec, weights, other, logits, fusedQkv);
    }

    /**
     * The same model (weights shared) whose runs stop before the output head, for callers that read only hooks
     * (corpus statistics, probing): a run's output is the final-normed hidden state [batch, pos, d] (no
     * project_out, no hook_logits), and a third of a 128-token GPT-2-small forward, the vocabulary projection, is
     * not computed. Everything before the output head is unchanged.
     */
    public Transformer withoutLogits() {
        return new Transformer(spec, weights, options, false, fusedQkv);
    }

    /** False for {@link #withoutLogits()}'s copy. */
    public boolean computesLogits() {
        return logits;
    }

    public ForwardOptions options() {
        return options;
    }

    public ModelSpec spec() {
        return spec;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** Output of a run: [batch, pos, outputs] (classifiers: [batch, 1, classes]), plus what the hooks captured. */
    public record Result(INDArray output, ActivationCache cache) {
    }

    /** Runs the whole model on {@code ids} [batch][pos] (valid ids, length within the model's positions). */
    public Result run(int[][] ids, Hooks hooks) {
        return run(ids, hooks, null);
    }

    /**
     * Runs the new positions {@code ids} after those already in {@code kv} (null: no cache), appending their keys
     * and values to it. Hook values cover the new positions only; patterns are [batch, head, new, all keys].
     */
    public Result run(int[][] ids, Hooks hooks, KvCache kv) {
        ActivationCache cache = new ActivationCache();
        int offset = kv == null ? 0 : kv.length();
        INDArray resid = hooks.apply(HookNames.EMBED, embed(ids, offset), cache);
        return layersAndOutput(0, resid, hooks, cache, kv, null);
    }

    /**
     * Runs a right-padded batch: row b of {@code ids} [batch][pos] holds a prompt of {@code lengths[b]} tokens, then
     * any valid ids up to the common length. Positions before lengths[b] come out as a run of that prompt alone gives
     * them (within float rounding): a causal model's never see the padding after them, and a bidirectional model's
     * attention leaves the padded keys out. Values at padded positions are meaningless. See PromptBatches.
     */
    public Result runPadded(int[][] ids, int[] lengths, Hooks hooks) {
        if (lengths.length != ids.length) {
            throw new IllegalArgumentException(lengths.length + " lengths for " + ids.length + " prompts");
        }
        for (int b = 0; b < ids.length; b++) {
            if (lengths[b] < 1 || lengths[b] > ids[b].length || ids[b].length != ids[0].length) {
                throw new IllegalArgumentException("prompt " + b + ": length " + lengths[b] + " in a row of " + ids[b].length
                        + " (rows must share one length)");
            }
        }
        ActivationCache cache = new ActivationCache();
        INDArray resid = hooks.apply(HookNames.EMBED, embed(ids, 0), cache);
        return layersAndOutput(0, resid, hooks, cache, null, spec.causal() ? null : lengths.clone());
    }

    /** Runs the layers on embeddings computed elsewhere (e.g. a ViT's patch embedding) [batch, pos, d]. */
    public Result runFromEmbeddings(INDArray embedded, Hooks hooks) {
        ActivationCache cache = new ActivationCache();
        return layersAndOutput(0, hooks.apply(HookNames.EMBED, embedded, cache), hooks, cache, null, null);
    }

    /** Runs layers {@code fromLayer}… and the output on a given residual stream (re-using the layers below). */
    public Result runFrom(int fromLayer, INDArray residPre, Hooks hooks) {
        return layersAndOutput(fromLayer, residPre, hooks, new ActivationCache(), null, null);
    }

    /**
     * Runs layers {@code fromLayer}… and the output on the residual stream of new positions [batch, new, d] that
     * follow those in {@code kv} (which must hold keys and values of layers fromLayer… for the same batch size).
     */
    public Result runFrom(int fromLayer, INDArray residPre, Hooks hooks, KvCache kv) {
        return layersAndOutput(fromLayer, residPre, hooks, new ActivationCache(), kv, null);
    }

    /** @param keyLengths a padded batch's real lengths, for a bidirectional model's attention (else null) */
    private Result layersAndOutput(int fromLayer, INDArray resid, Hooks hooks, ActivationCache cache, KvCache kv,
                                   int[] keyLengths) {
        int offset = kv == null ? 0 : kv.length();
        long keys = offset + resid.size(1);
        Attention attention = attentionFor(resid, resid.size(1), keys, hooks, fromLayer, spec.layers());
        boolean arena = BlockArena.suits(options, resid.size(0) * spec.heads() * resid.size(1) * keys);
        try {
            for (int layer = fromLayer; layer < spec.layers(); layer++) {
                if (arena) {
                    try (MemoryWorkspace ignored = BlockArena.open()) {
                        resid = block(layer, resid, hooks, cache, kv, offset, 0, (int) resid.size(1), attention, keyLengths).detach();
                    }
                } else {
                    resid = block(layer, resid, hooks, cache, kv, offset, 0, (int) resid.size(1), attention, keyLengths);
                }
            }
        } finally {
            ScoreSpare.release(); // an idle thread keeps no score buffer
        }
        if (arena) {
            BlockArena.release();
        }
        if (kv != null) {
            kv.advance((int) resid.size(1));
        }
        return new Result(unembed(resid, hooks, cache), cache);
    }

    /**
     * Token embeddings (through OPT's project_in, times Gemma's scale) + positions (+ token type 0), and BERT's
     * embedding LayerNorm: [batch, pos, d].
     */
    public INDArray embed(int[][] ids, int offset) {
        int batch = ids.length;
        int length = ids[0].length;
        INDArray x = tokenEmbeddings(ids);
        if (weights.positionEmbed() != null) {
            INDArray positions = weights.positionEmbed().get(interval(offset, offset + length), all());
            x.addi(batch == 1 ? positions : Nd4j.tile(positions, batch, 1));
        }
        if (weights.tokenTypeEmbed() != null) {
            x.addiRowVector(weights.tokenTypeEmbed().getRow(0));
        }
        if (weights.embedNorm() != null) {
            x = Ops.layerNorm(x, weights.embedNorm(), spec.normEps());
        }
        return x.reshape(batch, length, spec.dModel());
    }

    /** The token part of {@link #embed}: rows of the embedding (through OPT's project_in, times Gemma's scale), [batch·pos, d]. */
    public INDArray tokenEmbeddings(int[][] ids) {
        int length = ids[0].length;
        int[] flat = new int[ids.length * length];
        for (int b = 0; b < ids.length; b++) {
            System.arraycopy(ids[b], 0, flat, b * length, length);
        }
        INDArray x = Nd4j.pullRows(weights.tokenEmbed(), 1, flat); // a native gather: getRows copies row by row, far slower
        if (weights.projectIn() != null) {
            x = Ops.linear(x, weights.projectIn());
        }
        if (spec.variant().embedScale() != 1) {
            x.muli(spec.variant().embedScale());
        }
        return x;
    }

    /** One transformer block: resid_pre [batch, pos, d] to resid_post. */
    public INDArray block(int layer, INDArray residPre, Hooks hooks, ActivationCache cache) {
        long length = residPre.size(1);
        Attention attention = attentionFor(residPre, length, length, hooks, layer, layer + 1);
        try {
            return block(layer, residPre, hooks, cache, null, 0, 0, (int) length, attention, null);
        } finally {
            ScoreSpare.release();
        }
    }

    /**
     * One block computed for the query rows [from, to) only, attending to the keys and values of every row (causal
     * models: of rows before {@code to}): resid_post of those rows, [batch, to − from, d]. No hooks. Exactly the
     * rows a full {@link #block} gives, for a fraction of the work when few rows are needed.
     */
    public INDArray blockRows(int layer, INDArray residPre, int from, int to) {
        if (from < 0 || to > residPre.size(1) || from >= to) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside 0.." + residPre.size(1));
        }
        INDArray keys = spec.causal() && to < residPre.size(1) ? residPre.get(all(), interval(0, to), all()) : residPre;
        Attention attention = attentionFor(keys, to - from, keys.size(1), Hooks.none(), layer, layer + 1);
        try {
            return block(layer, keys, Hooks.none(), new ActivationCache(), null, 0, from, to, attention, null);
        } finally {
            ScoreSpare.release();
        }
    }

    /**
     * The second half of block {@code layer}, from resid_mid [batch, pos, d] (before a post-norm) to resid_post. No
     * hooks. Refused for a parallel residual (GPT-NeoX), whose MLP reads resid_pre: use the three-argument form.
     */
    public INDArray mlpHalf(int layer, INDArray residMid) {
        if (spec.variant().parallelResidual()) {
            throw new HeadwiseException("the second half of a block alone is not defined for a parallel-residual model ("
                    + spec.architecture() + "): its MLP reads the block's input, not resid_mid");
        }
        return mlpHalf(weights.layers().get(layer), layer, residMid, null, Hooks.none(), new ActivationCache());
    }

    /** The same for any model: a parallel residual's MLP reads {@code residPre} [batch, pos, d] (others ignore it). */
    public INDArray mlpHalf(int layer, INDArray residMid, INDArray residPre) {
        return mlpHalf(weights.layers().get(layer), layer, residMid, spec.variant().parallelResidual() ? residPre : null,
                Hooks.none(), new ActivationCache());
    }

    /**
     * What layer {@code layer}'s heads add to the residual stream given their outputs z [batch, pos, heads, d_head]:
     * the output projection, then Gemma-2/3's norm on it: hook_attn_out's value, [batch, pos, d]. No hooks.
     */
    public INDArray attentionOutput(int layer, INDArray z) {
        ModelWeights.LayerWeights w = weights.layers().get(layer);
        long batch = z.size(0);
        long length = z.size(1);
        INDArray out = Ops.linear(z.dup('c').reshape(batch * length, (long) spec.heads() * spec.dHead()), w.o());
        return (w.postAttnNorm() == null ? out : norm(out, w.postAttnNorm())).reshape(batch, length, spec.dModel());
    }

    /**
     * Whether {@code batch} sequences of {@code queries} new positions over {@code keys} keys attend a block of queries
     * at a time ({@link AttentionPath#QUERY_BLOCKS}), so that no hook can see their whole scores or pattern.
     */
    public boolean attendsInBlocks(long batch, long queries, long keys) {
        return AttentionPath.choose(options, spec, batch, queries, keys, DataType.FLOAT, Hooks.none(), 0, 0)
                == AttentionPath.QUERY_BLOCKS;
    }

    /** The attention path of a run ({@link AttentionPath#choose}) on residual streams like {@code resid}. */
    private Attention attentionFor(INDArray resid, long queries, long keys, Hooks hooks, int fromLayer, int toLayer) {
        return switch (AttentionPath.choose(options, spec, resid.size(0), queries, keys, resid.dataType(), hooks, fromLayer, toLayer)) {
            case PER_HEAD -> perHead;
            case BATCHED -> batched;
            case QUERY_BLOCKS -> queryBlocks;
        };
    }

    /** Block {@code layer} for the query rows [from, to) of residPre (all rows are keys); [batch, to − from, d]. */
    private INDArray block(int layer, INDArray residPre, Hooks hooks, ActivationCache cache, KvCache kv, int offset, int from, int to,
                           Attention attention, int[] keyLengths) {
        stopIfInterrupted(layer);
        ModelWeights.LayerWeights w = weights.layers().get(layer);
        long batch = residPre.size(0);
        long length = residPre.size(1);
        long rows = to - from;
        int d = spec.dModel();
        residPre = hooks.apply(HookNames.residPre(layer), residPre, cache);
        INDArray x = residPre.reshape(batch * length, d);

        INDArray attnIn = spec.postNorm() ? x : norm(x, w.attnNorm());
        INDArray attnOut = attention(layer, w, attnIn, batch, length, from, to, hooks, cache, kv, offset, attention, keyLengths);
        if (w.postAttnNorm() != null) {
            attnOut = norm(attnOut, w.postAttnNorm());
        }
        attnOut = hooks.apply(HookNames.attnOut(layer), attnOut.reshape(batch, rows, d), cache);

        INDArray queryRows = rows == length ? residPre : residPre.get(all(), interval(from, to), all());
        INDArray residMid = hooks.apply(HookNames.residMid(layer), Ops.add(queryRows, attnOut), cache);
        return mlpHalf(w, layer, residMid, spec.variant().parallelResidual() ? queryRows : null, hooks, cache);
    }

    /**
     * From resid_mid to resid_post. {@code parallelInput}: with a parallel residual (GPT-NeoX) the MLP reads the
     * block's input rows (resid_pre) instead of resid_mid; null otherwise.
     */
    private INDArray mlpHalf(ModelWeights.LayerWeights w, int layer, INDArray residMid, INDArray parallelInput, Hooks hooks,
                             ActivationCache cache) {
        long batch = residMid.size(0);
        long length = residMid.size(1);
        int d = spec.dModel();
        INDArray mid = residMid.reshape(batch * length, d);
        if (spec.postNorm()) {
            mid = norm(mid, w.attnNorm());
        }
        INDArray mlpSource = parallelInput == null ? mid : parallelInput.dup('c').reshape(batch * length, d);
        INDArray mlpIn = spec.postNorm() ? mlpSource : ln2(layer, norm(mlpSource, w.mlpNorm()), batch, length, hooks, cache);
        INDArray mlpHidden = mlp(w, mlpIn);
        if (w.postMlpNorm() != null) {
            mlpHidden = norm(mlpHidden, w.postMlpNorm());
        }
        INDArray mlpOut = hooks.apply(HookNames.mlpOut(layer), mlpHidden.reshape(batch, length, d), cache);

        INDArray residPost = Ops.add(mid.reshape(batch, length, d), mlpOut);
        if (spec.postNorm()) {
            residPost = ln2(layer, norm(residPost.reshape(batch * length, d), w.mlpNorm()), batch, length, hooks, cache)
                    .reshape(batch, length, d);
        }
        return hooks.apply(HookNames.residPost(layer), residPost, cache);
    }

    /** The block's ln2 output [batch·length, d] through its hook (seen as [batch, pos, d]). */
    private INDArray ln2(int layer, INDArray normalized, long batch, long length, Hooks hooks, ActivationCache cache) {
        String name = HookNames.ln2Normalized(layer);
        if (!hooks.touches(name)) {
            return normalized;
        }
        return hooks.apply(name, normalized.reshape(batch, length, spec.dModel()), cache).reshape(batch * length, spec.dModel());
    }

    /** Attention of the query rows [from, to) of x [batch·length, d] over all its rows (and the cached ones). */
    private INDArray attention(int layer, ModelWeights.LayerWeights w, INDArray x, long batch, long length, int from, int to,
                               Hooks hooks, ActivationCache cache, KvCache kv, int offset, Attention attention, int[] keyLengths) {
        int heads = spec.heads();
        int kvHeads = spec.kvHeads();
        int dHead = spec.dHead();
        long rows = to - from;
        INDArray xq = rows == length ? x
                : x.reshape(batch, length, x.size(1)).get(all(), interval(from, to), all()).dup('c').reshape(batch * rows, x.size(1));
        ModelWeights.Linear qkv = rows == length ? fusedQkv.of(layer) : null;
        INDArray q;
        INDArray k;
        INDArray v;
        if (qkv != null) { // one GEMM for the three projections, each then cut out as its own dense array
            INDArray projected = Ops.linear(x, qkv);
            long qWidth = (long) heads * dHead;
            long kvWidth = (long) kvHeads * dHead;
            q = projected.get(all(), interval(0, qWidth)).dup('c').reshape(batch, rows, heads, dHead);
            k = projected.get(all(), interval(qWidth, qWidth + kvWidth)).dup('c').reshape(batch, length, kvHeads, dHead);
            v = projected.get(all(), interval(qWidth + kvWidth, qWidth + 2 * kvWidth)).dup('c').reshape(batch, length, kvHeads, dHead);
            free(projected);
        } else {
            q = Ops.linear(xq, w.q()).reshape(batch, rows, heads, dHead);
            k = Ops.linear(x, w.k()).reshape(batch, length, kvHeads, dHead);
            v = Ops.linear(x, w.v()).reshape(batch, length, kvHeads, dHead);
        }
        if (w.qNorm() != null) {
            q = headNorm(q, w.qNorm());
            k = headNorm(k, w.kNorm());
        }
        ModelSpec.Rope rope = spec.rope(layer);
        if (rope != null) {
            q = Rope.apply(q, rope, offset + from);
            k = Rope.apply(k, rope, offset);
        }
        q = hooks.apply(HookNames.q(layer), q, cache);
        k = hooks.apply(HookNames.k(layer), k, cache);
        v = hooks.apply(HookNames.v(layer), v, cache);
        if (kv != null) {
            INDArray[] all = kv.append(layer, k, v);
            k = all[0];
            v = all[1];
        }

        INDArray z = hooks.apply(HookNames.z(layer), attention.attend(layer, q, k, v, offset + from, keyLengths, hooks, cache),
                cache);
        return Ops.linear(z.reshape(batch * rows, (long) heads * dHead), w.o());
    }

    /**
     * Cooperative cancellation, checked once per layer (cheap next to a layer): a UI that interrupts the run's thread
     * (Future.cancel(true)) stops it within one layer instead of waiting for the whole forward. The flag is left set.
     */
    static void stopIfInterrupted(int layer) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("run cancelled before layer " + layer);
        }
    }

    /** Returns a temporary's native memory now rather than at the next garbage collection. */
    static void free(INDArray temporary) {
        if (temporary.closeable()) {
            temporary.close();
        }
    }

    private INDArray mlp(ModelWeights.LayerWeights w, INDArray x) {
        INDArray hidden = Ops.linear(x, w.mlpIn());
        INDArray activated = switch (spec.activation()) {
            case GELU_TANH -> Ops.geluTanh(hidden);
            case GELU_ERF -> Ops.geluErf(hidden);
            case GELU_QUICK -> Ops.geluQuick(hidden);
            case RELU -> Ops.relu(hidden);
            case SILU_GATED, GELU_TANH_GATED -> {
                INDArray gate = Ops.linear(x, w.mlpGate());
                INDArray gated = spec.activation() == ModelSpec.Activation.SILU_GATED
                        ? Ops.siluTimes(gate, hidden) : Ops.geluTanhTimes(gate, hidden);
                free(gate);
                yield gated;
            }
        };
        free(hidden); // every activation above returns a new array
        INDArray out = Ops.linear(activated, w.mlpOut());
        free(activated);
        return out;
    }

    /**
     * Final norm and projection (through OPT's project_out, then Gemma-2's final soft-cap); bare encoders (and
     * {@link #withoutLogits()}) return the final-normed hidden state, classifiers read the CLS token.
     */
    public INDArray unembed(INDArray resid, Hooks hooks, ActivationCache cache) {
        long batch = resid.size(0);
        long length = resid.size(1);
        INDArray x = resid.reshape(batch * length, spec.dModel());
        if (weights.finalNorm() != null) {
            x = norm(x, weights.finalNorm());
            x = hooks.apply(HookNames.FINAL_NORMALIZED, x.reshape(batch, length, spec.dModel()), cache)
                    .reshape(batch * length, spec.dModel());
        }
        if (weights.unembed() == null || !logits) {
            return x.reshape(batch, length, spec.dModel());
        }
        if (weights.projectOut() != null) {
            x = Ops.linear(x, weights.projectOut());
        }
        long vocabulary = weights.unembed().weight().size(1);
        INDArray logits = spec.output() == ModelSpec.Output.CLASS_LOGITS
                ? classify(x.reshape(batch, length, spec.dModel()))
                : x.dataType() == DataType.FLOAT
                ? Ops.linear(x, weights.unembed(), spareOutput.take(batch * length, vocabulary)).reshape(batch, length, vocabulary)
                : Ops.linear(x, weights.unembed()).reshape(batch, length, vocabulary);
        double cap = spec.variant().logitSoftcap();
        if (cap > 0) {
            Ops.softcapInPlace(logits, cap);
        }
        return hooks.apply(HookNames.LOGITS, logits, cache);
    }

    /**
     * Hands back the output of a run whose values the caller has copied and will not read again: its memory is
     * reused by the next run of the same size (see SpareOutput). Only for outputs no hook has kept.
     */
    public void recycleOutput(INDArray output) {
        spareOutput.keep(output);
    }

    /** Classifier on CLS; DeiT averages it with its distillation head on the next token. [batch, 1, classes]. */
    private INDArray classify(INDArray hidden) {
        long batch = hidden.size(0);
        INDArray cls = hidden.get(all(), point(0), all()).reshape(batch, spec.dModel());
        INDArray logits = Ops.linear(cls, weights.unembed());
        ModelWeights.VisionWeights vision = weights.vision();
        if (vision != null && vision.distillationClassifier() != null) {
            INDArray distillation = hidden.get(all(), point(1), all()).reshape(batch, spec.dModel());
            logits = logits.add(Ops.linear(distillation, vision.distillationClassifier())).muli(0.5);
        }
        return logits.reshape(batch, 1, logits.size(1));
    }

    /** RMSNorm of each head's vector of q or k [batch, pos, heads, d_head] (Qwen3, Gemma-3), as a new array. */
    private INDArray headNorm(INDArray x, ModelWeights.NormWeights w) {
        long[] shape = x.shape();
        return Ops.rmsNorm(x.dup('c').reshape(x.length() / shape[3], shape[3]), w, spec.normEps()).reshape(shape);
    }

    private INDArray norm(INDArray x, ModelWeights.NormWeights w) {
        return spec.norm() == ModelSpec.Norm.RMS_NORM
                ? Ops.rmsNorm(x, w, spec.normEps())
                : Ops.layerNorm(x, w, spec.normEps());
    }
}
