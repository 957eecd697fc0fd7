package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link AttentionPath#BATCHED}: softmax(q·kᵀ/√d + mask)·v over all queries at once, with the scores and pattern
 * passing through their hooks as whole [batch, heads, queries, keys] tensors.
 */
final class BatchedAttention extends HeadMajorAttention {

    BatchedAttention(ModelSpec spec, AttentionScores scores) {
        super(spec, scores);
    }

    @Override
    INDArray attendHeads(int layer, INDArray qh, INDArray kh, INDArray vh, int offset, int[] keyLengths, Hooks hooks,
                         ActivationCache cache) {
        // the scores exist as a tensor only when a hook wants them; otherwise softmax comes straight off the product
        INDArray softmax = hooks.touches(HookNames.attnScores(layer)) ? null : scores.softmaxOfScores(layer, qh, kh, offset, keyLengths);
        if (softmax == null) {
            INDArray rawScores = scores.scores(layer, qh, kh, offset, keyLengths, true);
            INDArray hooked = hooks.apply(HookNames.attnScores(layer), rawScores, cache);
            softmax = AttentionScores.softmax(hooked);
            Attention.freeUnlessKept(rawScores, hooked, HookNames.attnScores(layer), hooks);
        }
        INDArray pattern = hooks.apply(HookNames.pattern(layer), softmax, cache);
        INDArray perHead = Nd4j.matmul(pattern, vh);
        Attention.freeUnlessKept(softmax, pattern, HookNames.pattern(layer), hooks);
        return perHead;
    }
}
