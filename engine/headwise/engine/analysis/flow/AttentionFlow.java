package headwise.engine.analysis.flow;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.Rollout;
import headwise.engine.run.AttentionMaps;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Attention flow (Abnar &amp; Zuidema 2020): the layered graph has a node (l, i) for every layer l = 0..L (0 = the
 * input tokens) and token i, and an edge (l, i) → (l−1, j) of capacity Â^l_ij, where Â^l = 0.5(mean_h A^{l,h} + I)
 * with rows renormalised (the rollout's matrices). {@code flow[o][j]} is the value of a maximum flow between output
 * node (outputLayer, o) and input token (0, j), found with Dinic's algorithm ({@link MaxFlow}).
 * <p>
 * One max-flow per (output, input) pair on a graph of (L+1)·T nodes and up to L·T² edges: the graph is limited to
 * {@value #MAX_TOKENS} tokens, either the whole input or a chosen token range [from, to). In a range only the edges
 * between its tokens exist (Â is not renormalised inside it).
 *
 * @param outputLayer layer of the output nodes (1..L)
 * @param outputs     output token positions, one per row of {@code flow}
 * @param from        first input token of the graph; column c of {@code flow} is token from + c
 * @param flow        [outputs][to − from] max-flow values; each is at most 1, the capacity leaving an output node
 */
public record AttentionFlow(int outputLayer, int[] outputs, int from, double[][] flow) {

    public static final int MAX_TOKENS = 256;

    /** Flow from every token of the last layer to every input token. */
    public static AttentionFlow compute(AttentionMaps a) {
        return compute(a, a.layers(), IntStream.range(0, a.length()).toArray(), 0, a.length());
    }

    /**
     * @param outputLayer 1..L: the layer whose nodes are the outputs
     * @param outputs     token positions in [from, to)
     * @param from        first token of the subgraph
     * @param to          end (exclusive) of the subgraph; to − from ≤ {@value #MAX_TOKENS}
     */
    public static AttentionFlow compute(AttentionMaps a, int outputLayer, int[] outputs, int from, int to) {
        int span = to - from;
        if (from < 0 || to > a.length() || span <= 0) {
            throw new HeadwiseException("attention flow: token range [" + from + ", " + to + ") is not inside the "
                    + a.length() + " tokens");
        }
        if (span > MAX_TOKENS) {
            throw new HeadwiseException("attention flow: " + span + " tokens is too many for max-flow (at most "
                    + MAX_TOKENS + "); choose a token range of at most " + MAX_TOKENS + " tokens");
        }
        if (outputLayer < 1 || outputLayer > a.layers()) {
            throw new HeadwiseException("attention flow: output layer " + outputLayer + " is not in 1.." + a.layers());
        }
        for (int o : outputs) {
            if (o < from || o >= to) {
                throw new HeadwiseException("attention flow: output token " + o + " is outside [" + from + ", " + to + ")");
            }
        }
        Rollout rollout = Rollout.of(a);
        double[][] flow = new double[outputs.length][];
        // rows are independent: one graph each (building it costs less than one of its T max-flows)
        IntStream.range(0, outputs.length).parallel().forEach(r -> {
            MaxFlow g = graph(rollout, outputLayer, from, span);
            double[] row = new double[span];
            int source = node(outputLayer, outputs[r] - from, span);
            for (int c = 0; c < span; c++) {
                g.reset();
                row[c] = g.maxFlow(source, node(0, c, span));
            }
            flow[r] = row;
        });
        return new AttentionFlow(outputLayer, outputs.clone(), from, flow);
    }

    /** The layered graph of layers 0..outputLayer over tokens [from, from + span), edges pointing down. */
    static MaxFlow graph(Rollout rollout, int outputLayer, int from, int span) {
        MaxFlow g = new MaxFlow((outputLayer + 1) * span);
        for (int l = 1; l <= outputLayer; l++) {
            for (int i = 0; i < span; i++) {
                for (int j = 0; j < span; j++) {
                    double capacity = rollout.augmented(l - 1, from + i, from + j);
                    if (capacity > 0) {
                        g.addEdge(node(l, i, span), node(l - 1, j, span), capacity);
                    }
                }
            }
        }
        return g;
    }

    private static int node(int layer, int token, int span) {
        return layer * span + token;
    }

    /** Input tokens in the graph. */
    public int inputs() {
        return flow.length == 0 ? 0 : flow[0].length;
    }

    /** Each row divided by its sum, as Abnar &amp; Zuidema show it (rows of zero stay zero). */
    public double[][] normalisedRows() {
        double[][] out = new double[flow.length][];
        for (int r = 0; r < flow.length; r++) {
            double sum = Arrays.stream(flow[r]).sum();
            double[] row = flow[r].clone();
            if (sum > 0) {
                for (int c = 0; c < row.length; c++) {
                    row[c] /= sum;
                }
            }
            out[r] = row;
        }
        return out;
    }
}
