package headwise.engine.model;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One head's attention pattern from its own queries and keys, written straight into a heap array a block of queries
 * at a time, each thread its blocks ({@link HeadThreads}): no T×T native tensor, which at 8,192 tokens was 268 MB to
 * page in and copy out for every head read back (docs/performance.md, "Attention, a head per thread").
 */
public final class SingleHeadPattern {

    private static final int BLOCK = 128;

    private SingleHeadPattern() {
    }

    /**
     * softmax(softcap(scale·q·kᵀ) + mask) [T·T] (row = query, 0 where masked) with {@code layer}'s scale, soft-cap and
     * window, from q and k [T, dHead] row-major.
     */
    public static float[] compute(ModelSpec spec, int layer, float[] q, float[] k, int length) {
        int dHead = spec.dHead();
        float[] out = new float[length * length];
        AttentionScores scores = new AttentionScores(spec);
        int blocks = (length + BLOCK - 1) / BLOCK;
        try (INDArray qa = Ops.fromFloats(q, 1, length, 1, dHead); INDArray ka = Ops.fromFloats(k, 1, length, 1, dHead)) {
            // the thread split is over blocks of queries here (one head: HeadThreads' "pairs" are blocks)
            HeadThreads.split(blocks, (fromBlock, toBlock) -> {
                HeadWorker worker = new HeadWorker(scores, layer, qa, ka);
                FloatPointer buffer = new FloatPointer((long) BLOCK * length);
                FloatPointer row = new FloatPointer(buffer);
                try {
                    for (int b = fromBlock; b < toBlock; b++) {
                        int start = b * BLOCK;
                        int rows = Math.min(BLOCK, length - start);
                        int seen = spec.causal() ? start + rows : length;
                        worker.pattern(0, 0, start, rows, seen, length, 0, buffer.position(0), seen, seen);
                        for (int r = 0; r < rows; r++) {
                            row.position((long) r * seen).get(out, (start + r) * length, seen);
                        }
                    }
                } finally {
                    buffer.deallocate();
                }
            });
        }
        return out;
    }
}
