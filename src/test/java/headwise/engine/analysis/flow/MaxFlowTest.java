package headwise.engine.analysis.flow;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Dinic's max-flow on small networks whose value is known by hand. */
class MaxFlowTest {

    /** The network of CLRS (3rd ed.) figure 26.1: max flow 23, min cut {s, v1, v2, v4} | {v3, t} = 12 + 7 + 4. */
    static MaxFlow clrs() {
        MaxFlow g = new MaxFlow(6); // s=0, v1..v4 = 1..4, t=5
        g.addEdge(0, 1, 16);
        g.addEdge(0, 2, 13);
        g.addEdge(2, 1, 4);
        g.addEdge(1, 3, 12);
        g.addEdge(3, 2, 9);
        g.addEdge(2, 4, 14);
        g.addEdge(4, 3, 7);
        g.addEdge(3, 5, 20);
        g.addEdge(4, 5, 4);
        return g;
    }

    @Test
    void clrsNetworkCarriesTwentyThree() {
        assertEquals(23.0, clrs().maxFlow(0, 5), 1e-12);
    }

    @Test
    void resetLetsTheSameGraphAnswerAgainAndOtherPairs() {
        MaxFlow g = clrs();
        assertEquals(23.0, g.maxFlow(0, 5), 1e-12);
        assertEquals(0.0, g.maxFlow(0, 5), 1e-12, "nothing more fits without a reset");
        g.reset();
        assertEquals(23.0, g.maxFlow(0, 5), 1e-12);
        g.reset();
        // from v1 to t: v1 → v3 (12) is the only way out of v1
        assertEquals(12.0, g.maxFlow(1, 5), 1e-12);
        g.reset();
        assertEquals(0.0, g.maxFlow(5, 0), 1e-12, "no edge leaves t");
    }

    /**
     * A greedy path search that takes s→a→b→t first (1.0) blocks itself; the optimum 2.0 needs to cancel flow on
     * a→b through its reverse edge.
     */
    @Test
    void cancelsFlowThroughReverseEdges() {
        MaxFlow g = new MaxFlow(4); // s=0, a=1, b=2, t=3
        g.addEdge(0, 1, 1);
        g.addEdge(0, 2, 1);
        g.addEdge(1, 2, 1);
        g.addEdge(1, 3, 1);
        g.addEdge(2, 3, 1);
        assertEquals(2.0, g.maxFlow(0, 3), 1e-12);
    }

    /** Fractional capacities: two disjoint paths limited by 0.3 and 0.25, plus a cross edge that can add 0.1. */
    @Test
    void fractionalCapacities() {
        MaxFlow g = new MaxFlow(4);
        g.addEdge(0, 1, 0.5);
        g.addEdge(1, 3, 0.3);
        g.addEdge(0, 2, 0.25);
        g.addEdge(2, 3, 0.6);
        g.addEdge(1, 2, 0.1);
        // min cut: {s,a} | {b,t}: 0.3 + 0.25 + 0.1 = 0.65
        assertEquals(0.65, g.maxFlow(0, 3), 1e-12);
    }

    @Test
    void rejectsBadInput() {
        MaxFlow g = new MaxFlow(2);
        assertThrows(IllegalArgumentException.class, () -> g.addEdge(0, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> g.addEdge(0, 1, Double.NaN));
        assertThrows(IndexOutOfBoundsException.class, () -> g.addEdge(0, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> g.maxFlow(1, 1));
    }
}
