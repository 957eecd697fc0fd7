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
 * One max-flow per (output, input) pair on a graph of (L+1)·T nodes and up to L·T² edges, each on just the nodes
 * that lie on a path between the pair. The graph is limited to {@value #MAX_TOKENS} tokens, either the whole input
 * or a chosen token range [from, to). In a range only the edges between its tokens exist (Â is not renormalised
 * inside it).
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
        double[][] capacity = capacities(Rollout.of(a), outputLayer, from, span);
        // reaches[j][l][i]: node (l, i) has a path down to input token j
        boolean[][][] reaches = new boolean[span][][];
        IntStream.range(0, span).parallel().forEach(j -> reaches[j] = reachingInput(capacity, j, span));
        double[][] flow = new double[outputs.length][];
        IntStream.range(0, outputs.length).parallel().forEach(r -> {
            int output = outputs[r] - from;
            boolean[][] below = reachableFrom(capacity, output, span);
            int belowNodes = count(below);
            Graph whole = null; // the graph below the output, built once if inputs need most of it (dense attention)
            double[] row = new double[span];
            for (int c = 0; c < span; c++) {
                boolean[][] on = intersection(below, reaches[c]);
                if (!on[outputLayer][output]) {
                    continue; // no path: flow 0
                }
                Graph g;
                if (count(on) > 0.8 * belowNodes) {
                    if (whole == null) {
                        whole = Graph.of(capacity, below, span);
                    } else {
                        whole.flow().reset();
                    }
                    g = whole;
                } else {
                    g = Graph.of(capacity, on, span);
                }
                row[c] = g.maxFlow(output, c);
            }
            flow[r] = row;
        });
        return new AttentionFlow(outputLayer, outputs.clone(), from, flow);
    }

    /** [l − 1][i·span + j] = Â^l_ij over the tokens of the graph, layers 1..outputLayer. */
    private static double[][] capacities(Rollout rollout, int outputLayer, int from, int span) {
        double[][] capacity = new double[outputLayer][span * span];
        for (int l = 0; l < outputLayer; l++) {
            for (int i = 0; i < span; i++) {
                for (int j = 0; j < span; j++) {
                    capacity[l][i * span + j] = rollout.augmented(l, from + i, from + j);
                }
            }
        }
        return capacity;
    }

    /** [l][i]: node (l, i) lies below output node (L', o) (L' = capacity.length). */
    private static boolean[][] reachableFrom(double[][] capacity, int output, int span) {
        int layers = capacity.length;
        boolean[][] reached = new boolean[layers + 1][span];
        reached[layers][output] = true;
        for (int l = layers; l >= 1; l--) {
            double[] c = capacity[l - 1];
            for (int i = 0; i < span; i++) {
                if (reached[l][i]) {
                    for (int j = 0; j < span; j++) {
                        reached[l - 1][j] |= c[i * span + j] > 0;
                    }
                }
            }
        }
        return reached;
    }

    /** [l][i]: node (l, i) has a path down to input token {@code input}. */
    private static boolean[][] reachingInput(double[][] capacity, int input, int span) {
        int layers = capacity.length;
        boolean[][] reaching = new boolean[layers + 1][span];
        reaching[0][input] = true;
        for (int l = 1; l <= layers; l++) {
            double[] c = capacity[l - 1];
            for (int i = 0; i < span; i++) {
                for (int j = 0; j < span && !reaching[l][i]; j++) {
                    reaching[l][i] = reaching[l - 1][j] && c[i * span + j] > 0;
                }
            }
        }
        return reaching;
    }

    private static int count(boolean[][] mask) {
        int n = 0;
        for (boolean[] layer : mask) {
            for (boolean b : layer) {
                n += b ? 1 : 0;
            }
        }
        return n;
    }

    /** The nodes on some path between output and input; the rest carries no flow between them (for causal attention
     *  only tokens input..output remain). */
    private static boolean[][] intersection(boolean[][] below, boolean[][] reaching) {
        boolean[][] out = new boolean[below.length][below[0].length];
        for (int l = 0; l < below.length; l++) {
            for (int i = 0; i < below[l].length; i++) {
                out[l][i] = below[l][i] && reaching[l][i];
            }
        }
        return out;
    }

    /** A flow network on the chosen nodes; {@code index[l][i]} is node (l, i)'s number or −1. */
    private record Graph(MaxFlow flow, int[][] index) {

        static Graph of(double[][] capacity, boolean[][] chosen, int span) {
            int layers = capacity.length;
            int[][] index = new int[layers + 1][span];
            int nodes = 0;
            for (int l = 0; l <= layers; l++) {
                for (int i = 0; i < span; i++) {
                    index[l][i] = chosen[l][i] ? nodes++ : -1;
                }
            }
            MaxFlow g = new MaxFlow(nodes);
            for (int l = 1; l <= layers; l++) {
                double[] c = capacity[l - 1];
                for (int i = 0; i < span; i++) {
                    if (index[l][i] < 0) {
                        continue;
                    }
                    for (int j = 0; j < span; j++) {
                        if (index[l - 1][j] >= 0 && c[i * span + j] > 0) {
                            g.addEdge(index[l][i], index[l - 1][j], c[i * span + j]);
                        }
                    }
                }
            }
            return new Graph(g, index);
        }

        double maxFlow(int output, int input) {
            return flow.maxFlow(index[index.length - 1][output], index[0][input]);
        }
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
