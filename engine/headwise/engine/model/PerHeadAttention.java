package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link AttentionPath#PER_HEAD}: one BLAS call per head and query block (HeadProducts) on q, k, v as they are
 * [batch, pos, head, d_head]; z in the same layout. The pattern passes through its hook; an intervention that
 * returns a new pattern is multiplied with all keys (it may have put weight anywhere).
 */
final class PerHeadAttention implements Attention {

    private final ModelSpec spec;
    private final ForwardOptions options;
    private final AttentionScores scores;

    PerHeadAttention(ModelSpec spec, ForwardOptions options, AttentionScores scores) {
        this.spec = spec;
        this.options = options;
        this.scores = scores;
    }

    @Override
    public INDArray attend(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths, Hooks hooks,
                           ActivationCache cache) {
        // hooks on q, k, v may hand back views or other types; the products read dense float32
        INDArray dq = dense(q);
        INDArray dk = dense(k);
        INDArray dv = dense(v);
        int block = options.queryBlock();
        INDArray softmax = scores.softmaxInPlace(layer, HeadProducts.scores(dq, dk, spec.causal(), offset, keyLengths, block),
                offset, keyLengths);
        INDArray pattern = hooks.apply(HookNames.pattern(layer), softmax, cache);
        INDArray densePattern = dense(pattern);
        boolean skipHidden = pattern == softmax; // a replaced pattern may put weight on any key
        INDArray z = HeadProducts.weightedValues(densePattern, dv, spec.causal() && skipHidden, offset,
                skipHidden ? keyLengths : null, block);
        freeCopy(densePattern, pattern);
        freeCopy(dq, q);
        freeCopy(dk, k);
        freeCopy(dv, v);
        Attention.freeUnlessKept(softmax, pattern, HookNames.pattern(layer), hooks);
        return z;
    }

    /** x itself when the products can read it, else a dense float32 copy (hooks may hand back views or other types). */
    static INDArray dense(INDArray x) {
        return HeadProducts.suits(x) ? x : x.castTo(DataType.FLOAT).dup('c');
    }

    static void freeCopy(INDArray used, INDArray original) {
        if (used != original) {
            Transformer.free(used);
        }
    }
}
