package headwise.engine.analysis.flow;

import java.util.Arrays;

/**
 * Maximum flow by Dinic's algorithm (BFS level graph, then a blocking flow by one branching DFS with per-node edge
 * pointers) on a
 * directed graph with real capacities. Edges live in flat arrays; {@link #reset} restores the capacities so the same
 * graph answers many source/sink pairs.
 */
public final class MaxFlow {

    /** Residual capacities at or below this count as saturated (sums of float attention are not exact). */
    static final double EPSILON = 1e-12;

    private final int nodes;
    private int[] head;
    private int[] next = new int[16];
    private int[] to = new int[16];
    private double[] capacity = new double[16];
    private double[] residual = new double[16];
    private int edges;

    private final int[] level;
    private final int[] pointer;
    private final int[] queue;

    public MaxFlow(int nodes) {
        if (nodes <= 0) {
            throw new IllegalArgumentException("a flow network needs nodes, got " + nodes);
        }
        this.nodes = nodes;
        this.head = new int[nodes];
        Arrays.fill(head, -1);
        this.level = new int[nodes];
        this.pointer = new int[nodes];
        this.queue = new int[nodes];
    }

    public int nodes() {
        return nodes;
    }

    /** Adds the edge u → v (and its zero-capacity reverse, which carries cancelled flow). */
    public void addEdge(int u, int v, double cap) {
        if (u < 0 || u >= nodes || v < 0 || v >= nodes) {
            throw new IndexOutOfBoundsException("edge " + u + " -> " + v + " outside " + nodes + " nodes");
        }
        if (!(cap >= 0) || Double.isInfinite(cap)) {
            throw new IllegalArgumentException("capacity must be finite and non-negative, got " + cap);
        }
        if (edges + 2 > to.length) {
            int size = to.length * 2;
            next = Arrays.copyOf(next, size);
            to = Arrays.copyOf(to, size);
            capacity = Arrays.copyOf(capacity, size);
            residual = Arrays.copyOf(residual, size);
        }
        link(u, v, cap);
        link(v, u, 0);
    }

    private void link(int u, int v, double cap) {
        to[edges] = v;
        capacity[edges] = cap;
        residual[edges] = cap;
        next[edges] = head[u];
        head[u] = edges++;
    }

    /** Forgets any flow computed so far. */
    public void reset() {
        System.arraycopy(capacity, 0, residual, 0, edges);
    }

    /** The value of a maximum flow from {@code source} to {@code sink}, starting from the current flow (see {@link #reset}). */
    public double maxFlow(int source, int sink) {
        if (source == sink) {
            throw new IllegalArgumentException("source and sink are the same node " + source);
        }
        double total = 0;
        while (levels(source, sink)) {
            System.arraycopy(head, 0, pointer, 0, nodes);
            double pushed = push(source, sink, Double.POSITIVE_INFINITY);
            if (pushed <= EPSILON) {
                break;
            }
            total += pushed;
        }
        return total;
    }

    /** BFS distances from the source over unsaturated edges; false when the sink is out of reach. */
    private boolean levels(int source, int sink) {
        Arrays.fill(level, -1);
        int read = 0;
        int write = 0;
        queue[write++] = source;
        level[source] = 0;
        while (read < write) {
            int u = queue[read++];
            if (level[sink] >= 0 && level[u] >= level[sink]) {
                break; // nodes at or beyond the sink's distance lie on no shortest path
            }
            for (int e = head[u]; e >= 0; e = next[e]) {
                int v = to[e];
                if (level[v] < 0 && residual[e] > EPSILON) {
                    level[v] = level[u] + 1;
                    queue[write++] = v;
                }
            }
        }
        return level[sink] >= 0;
    }

    /**
     * Pushes up to {@code limit} from {@code u} towards the sink along level-graph edges, branching over as many edges
     * as it takes (one call per phase finds the whole blocking flow). An edge stays current while it may carry more;
     * exhausted ones are skipped for the rest of the phase.
     */
    private double push(int u, int sink, double limit) {
        if (u == sink) {
            return limit;
        }
        double sent = 0;
        for (; pointer[u] >= 0; pointer[u] = next[pointer[u]]) {
            int e = pointer[u];
            int v = to[e];
            if (level[v] == level[u] + 1 && residual[e] > EPSILON) {
                double pushed = push(v, sink, Math.min(limit - sent, residual[e]));
                if (pushed > 0) {
                    residual[e] -= pushed;
                    residual[e ^ 1] += pushed;
                    sent += pushed;
                    if (limit - sent <= EPSILON) {
                        return sent;
                    }
                }
            }
        }
        return sent;
    }
}
