package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * {@link AttentionPath#QUERY_BLOCKS}: the same attention a block of queries at a time, so no [heads, T, T] tensor
 * ever exists (at 8192 tokens and 32 heads one would take 8.6 GB). Runs that hook the scores or pattern never get
 * here (AttentionPath.choose refuses them): recomputing a head's pattern from its captured q and k is how long
 * inputs are explored.
 */
final class QueryBlockAttention extends HeadMajorAttention {

    private final ForwardOptions options;

    QueryBlockAttention(ModelSpec spec, ForwardOptions options, AttentionScores scores) {
        super(spec, scores);
        this.options = options;
    }

    @Override
    INDArray attendHeads(int layer, INDArray qh, INDArray kh, INDArray vh, int offset, int[] keyLengths, Hooks hooks,
                         ActivationCache cache) {
        long batch = qh.size(0);
        long length = qh.size(2);
        long keys = kh.size(2);
        long rows = Math.max(1, options.maxWholeScores() / (batch * qh.size(1) * keys));
        INDArray perHead = Nd4j.createUninitialized(qh.dataType(), batch, qh.size(1), length, qh.size(3));
        for (long start = 0; start < length; start += rows) {
            Transformer.stopIfInterrupted(layer); // a block of a long input can take seconds
            long end = Math.min(length, start + rows);
            INDArray block = qh.get(all(), all(), interval(start, end), all()).dup('c');
            // a causal block's queries see no key after its last position: those keys are left out of both products
            long seen = spec.causal() ? Math.min(keys, offset + end) : keys;
            INDArray blockKeys = seen == keys ? kh : kh.get(all(), all(), interval(0, seen), all());
            INDArray blockValues = seen == keys ? vh : vh.get(all(), all(), interval(0, seen), all());
            INDArray pattern = scores.softmaxOfScores(layer, block, blockKeys, offset + (int) start, keyLengths);
            if (pattern == null) {
                INDArray blockScores = scores.scores(layer, block, blockKeys, offset + (int) start, keyLengths, false);
                pattern = AttentionScores.softmax(blockScores);
                Transformer.free(blockScores);
            }
            perHead.get(all(), all(), interval(start, end), all()).assign(Nd4j.matmul(pattern, blockValues));
            Transformer.free(pattern);
            Transformer.free(block);
        }
        return perHead;
    }
}
