package headwise.engine.analysis.heads;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Context sensitivity of every head (METHODS.md, Head types; in the spirit of VHD): run the input with and without
 * the token span [spanStart, spanEnd) and compare each head's output {@code z} (hook_z, before the output
 * projection) at the tokens both runs share. Query i of the full run is query i (before the span) or i − (e − s)
 * (after it) of the shortened one; positions after the span move up, as they would had the span never been there.
 * Compared queries: those that can see the span (causal: i ≥ e; bidirectional: every token outside it).
 *
 * @param distance      [layer][head] mean over compared queries of ‖z_with − z_without‖₂
 * @param relative      [layer][head] {@code distance} divided by the mean ‖z_with‖₂ (0 when that is 0)
 * @param spanAttention [layer][head] mean over compared queries of the full run's attention on the span, Σ_{j∈span} A_ij
 * @param queries       the compared query positions (full run)
 */
public record ContextSensitivity(int spanStart, int spanEnd, double[][] distance, double[][] relative,
                                 double[][] spanAttention, int[] queries) {

    public static ContextSensitivity compute(Transformer transformer, int[] ids, int spanStart, int spanEnd) {
        ModelSpec spec = transformer.spec();
        int t = ids.length;
        if (spanStart < 0 || spanEnd > t || spanStart >= spanEnd) {
            throw new HeadwiseException("context span [" + spanStart + ", " + spanEnd + ") is not inside the " + t + "-token input");
        }
        if (spanEnd - spanStart == t) {
            throw new HeadwiseException("context span [" + spanStart + ", " + spanEnd + ") covers the whole input: nothing left to compare");
        }
        int[] queries = spec.causal()
                ? java.util.stream.IntStream.range(spanEnd, t).toArray()
                : java.util.stream.IntStream.range(0, t).filter(i -> i < spanStart || i >= spanEnd).toArray();
        if (queries.length == 0) {
            throw new HeadwiseException("context span [" + spanStart + ", " + spanEnd + ") ends at the last token: in a causal "
                    + "model only later tokens can see it");
        }
        int removed = spanEnd - spanStart;
        int[] shortened = new int[t - removed];
        System.arraycopy(ids, 0, shortened, 0, spanStart);
        System.arraycopy(ids, spanEnd, shortened, spanStart, t - spanEnd);

        int layers = spec.layers();
        int heads = spec.heads();
        double[][] spanAttention = new double[layers][heads];
        Hooks with = Hooks.capturing(name -> name.endsWith("attn.hook_z"));
        for (int layer = 0; layer < layers; layer++) {
            int l = layer;
            with.intervene(HookNames.pattern(layer), pattern -> { // [1, H, T, T]: only the mass on the span is kept
                INDArray mass = pattern.get(point(0), all(), all(), interval(spanStart, spanEnd)).sum(2); // [H, T]
                for (int h = 0; h < heads; h++) {
                    double sum = 0;
                    for (int i : queries) {
                        sum += mass.getDouble(h, i);
                    }
                    spanAttention[l][h] = sum / queries.length;
                }
                return pattern;
            });
        }
        var full = transformer.run(new int[][] {ids}, with).cache();
        var cut = transformer.run(new int[][] {shortened}, Hooks.capturing(name -> name.endsWith("attn.hook_z"))).cache();

        double[][] distance = new double[layers][heads];
        double[][] relative = new double[layers][heads];
        int dHead = spec.dHead();
        for (int l = 0; l < layers; l++) {
            float[] a = full.get(HookNames.z(l)).dup('c').data().asFloat(); // [1, T, H, dh]
            float[] b = cut.get(HookNames.z(l)).dup('c').data().asFloat();
            for (int h = 0; h < heads; h++) {
                double dist = 0;
                double norm = 0;
                for (int i : queries) {
                    int j = i < spanStart ? i : i - removed;
                    int ai = (i * heads + h) * dHead;
                    int bj = (j * heads + h) * dHead;
                    double d2 = 0;
                    double n2 = 0;
                    for (int c = 0; c < dHead; c++) {
                        double diff = (double) a[ai + c] - b[bj + c];
                        d2 += diff * diff;
                        n2 += (double) a[ai + c] * a[ai + c];
                    }
                    dist += Math.sqrt(d2);
                    norm += Math.sqrt(n2);
                }
                distance[l][h] = dist / queries.length;
                relative[l][h] = norm == 0 ? 0 : dist / norm;
            }
        }
        return new ContextSensitivity(spanStart, spanEnd, distance, relative, spanAttention, queries);
    }
}
