package headwise.engine.analysis.heads;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.ActivationCache;
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

        int[] mapped = java.util.Arrays.stream(queries).map(i -> i < spanStart ? i : i - removed).toArray();
        double[][][][] perQuery = zDistances(full, cut, spec, queries, mapped);
        double[][] distance = new double[layers][heads];
        double[][] relative = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double dist = 0;
                double norm = 0;
                for (int q = 0; q < queries.length; q++) {
                    dist += perQuery[0][q][l][h];
                    norm += perQuery[1][q][l][h];
                }
                distance[l][h] = dist / queries.length;
                relative[l][h] = norm == 0 ? 0 : dist / norm;
            }
        }
        return new ContextSensitivity(spanStart, spanEnd, distance, relative, spanAttention, queries);
    }

    /**
     * Each head's context vector (hook_z, every layer) of two runs compared query by query: query {@code queries[q]} of
     * the full run against {@code mapped[q]} of the other. Returns {distance, norm}, each [query][layer][head]:
     * ‖z_full − z_other‖₂ and ‖z_full‖₂.
     */
    public static double[][][][] zDistances(ActivationCache full, ActivationCache other, ModelSpec spec, int[] queries, int[] mapped) {
        int layers = spec.layers();
        int heads = spec.heads();
        int dHead = spec.dHead();
        double[][][][] out = new double[2][queries.length][layers][heads];
        for (int l = 0; l < layers; l++) {
            float[] a = full.get(HookNames.z(l)).dup('c').data().asFloat(); // [1, T, H, dh]
            float[] b = other.get(HookNames.z(l)).dup('c').data().asFloat();
            for (int q = 0; q < queries.length; q++) {
                for (int h = 0; h < heads; h++) {
                    int ai = (queries[q] * heads + h) * dHead;
                    int bj = (mapped[q] * heads + h) * dHead;
                    double d2 = 0;
                    double n2 = 0;
                    for (int c = 0; c < dHead; c++) {
                        double diff = (double) a[ai + c] - b[bj + c];
                        d2 += diff * diff;
                        n2 += (double) a[ai + c] * a[ai + c];
                    }
                    out[0][q][l][h] = Math.sqrt(d2);
                    out[1][q][l][h] = Math.sqrt(n2);
                }
            }
        }
        return out;
    }
}
