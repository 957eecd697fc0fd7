package headwise.viz.view;

import headwise.engine.analysis.flow.ContributionGraph;
import headwise.viz.Figure;
import headwise.viz.draw.Header;
import headwise.viz.draw.Style;
import headwise.viz.draw.Text;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Information-flow routes as a token × layer graph (Ferrando &amp; Voita 2024): tokens left to right, the embedding
 * at the bottom and each block's output above it; an edge from (layer − 1, token) to (layer, token'), its width and
 * opacity growing with its weight; attention edges blue, residual edges green. The traced target node is ringed.
 */
public final class FlowGraphFigure implements Figure {

    private static final Color ATTENTION = new Color(0x00, 0x72, 0xB2);
    private static final Color RESIDUAL = new Color(0x00, 0x9E, 0x73);
    private static final Color TARGET = new Color(0xD5, 0x5E, 0x00);
    private static final double LAYER_PITCH = 46;
    private static final double MAX_EDGE_WIDTH = 6;
    private static final double NODE_RADIUS = 3.5;

    private final ContributionGraph graph;
    private final String[] labels;
    private final Header header;
    private final double tokenPitch;
    private final double gridX;
    private final double gridTop;
    private final double labelsTop;
    private final double legendY;
    private final int width;
    private final int height;

    /** @param tokens T labels, or null for positions */
    public FlowGraphFigure(ContributionGraph graph, String[] tokens, String title) {
        this.graph = graph;
        this.labels = Labels.tokens(tokens, graph.tokens());
        String target = graph.target() >= 0 ? "routes into token " + graph.target() + " '" + labels[graph.target()] + "'" : "all routes";
        this.header = new Header(title, target + ", edges above threshold " + Text.number(graph.threshold()) + " ("
                + graph.edges().size() + " kept); width and opacity grow with the weight");
        this.tokenPitch = Math.max(Text.height(Style.LABEL) + 6, Math.min(48, 900.0 / Math.max(1, graph.tokens())));
        this.gridX = Style.PAD + Text.width(Style.LABEL, "layer " + graph.layers()) + 2 * Style.GAP + tokenPitch / 2;
        this.gridTop = header.height() + Style.GAP + NODE_RADIUS;
        this.labelsTop = gridTop + graph.layers() * LAYER_PITCH + NODE_RADIUS + Style.GAP;
        this.legendY = labelsTop + Text.widest(Style.LABEL, labels) + 2 * Style.GAP;
        double right = gridX + (graph.tokens() - 1) * tokenPitch + tokenPitch / 2 + Style.PAD;
        this.width = (int) Math.ceil(Math.max(header.width(), Math.max(right, Style.PAD + legendWidth() + Style.PAD)));
        this.height = (int) Math.ceil(legendY + Text.height(Style.SMALL) + Style.GAP + Style.PAD);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    /** Centre of node (layer, token): layer 0 (embeddings) at the bottom. */
    public double[] node(int layer, int token) {
        return new double[] {gridX + token * tokenPitch, gridTop + (graph.layers() - layer) * LAYER_PITCH};
    }

    /** "layer 3, token 5 “cat”: flow in 0.41, out 0.22", the kept edges' weights into and out of the nearest node. */
    @Override
    public String readout(double x, double y) {
        int t = (int) Math.round((x - gridX) / tokenPitch);
        int l = graph.layers() - (int) Math.round((y - gridTop) / LAYER_PITCH);
        if (t < 0 || t >= graph.tokens() || l < 0 || l > graph.layers()) {
            return null;
        }
        double in = 0;
        double out = 0;
        for (ContributionGraph.Edge e : graph.edges()) {
            in += e.toLayer() == l && e.toToken() == t ? e.weight() : 0;
            out += e.toLayer() - 1 == l && e.fromToken() == t ? e.weight() : 0;
        }
        return (l == 0 ? "embeddings" : "layer " + l) + ", token " + t + " \u201C" + labels[t] + "\u201D: flow in "
                + Text.precise(in) + ", out " + Text.precise(out);
    }

    @Override
    public void draw(Graphics2D g) {
        Style.hints(g);
        Style.background(g, width, height);
        header.draw(g);
        boolean[][] used = new boolean[graph.layers() + 1][graph.tokens()];
        List<ContributionGraph.Edge> edges = new ArrayList<>(graph.edges());
        edges.sort(Comparator.comparingDouble(ContributionGraph.Edge::weight)); // strong edges on top
        for (ContributionGraph.Edge e : edges) {
            double w = Math.max(0, Math.min(1, e.weight()));
            Color c = e.kind() == ContributionGraph.Kind.RESIDUAL ? RESIDUAL : ATTENTION;
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(255 * (0.25 + 0.75 * w))));
            g.setStroke(new BasicStroke((float) (0.5 + MAX_EDGE_WIDTH * w), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            double[] from = node(e.toLayer() - 1, e.fromToken());
            double[] to = node(e.toLayer(), e.toToken());
            g.draw(new Line2D.Double(from[0], from[1], to[0], to[1]));
            used[e.toLayer() - 1][e.fromToken()] = true;
            used[e.toLayer()][e.toToken()] = true;
        }
        drawNodes(g, used);
        drawAxes(g);
        drawLegend(g);
    }

    private void drawNodes(Graphics2D g, boolean[][] used) {
        g.setStroke(new BasicStroke(1f));
        for (int l = 0; l <= graph.layers(); l++) {
            for (int t = 0; t < graph.tokens(); t++) {
                double[] c = node(l, t);
                Ellipse2D dot = new Ellipse2D.Double(c[0] - NODE_RADIUS, c[1] - NODE_RADIUS, 2 * NODE_RADIUS, 2 * NODE_RADIUS);
                g.setColor(used[l][t] ? Style.TEXT : Style.GRID);
                g.fill(dot);
                if (!used[l][t]) {
                    g.setColor(Style.FRAME);
                    g.draw(dot);
                }
            }
        }
        if (graph.target() >= 0) {
            double[] c = node(graph.layers(), graph.target());
            g.setColor(TARGET);
            g.setStroke(new BasicStroke(2f));
            double r = NODE_RADIUS + 4;
            g.draw(new Ellipse2D.Double(c[0] - r, c[1] - r, 2 * r, 2 * r));
        }
    }

    private void drawAxes(Graphics2D g) {
        g.setFont(Style.LABEL);
        double shift = Text.centreShift(Style.LABEL);
        for (int l = 0; l <= graph.layers(); l++) {
            g.setColor(Style.TEXT);
            Text.right(g, l == 0 ? "emb" : "layer " + l, gridX - tokenPitch / 2 - Style.GAP, node(l, 0)[1] + shift);
        }
        g.setColor(Style.TEXT);
        for (int t = 0; t < graph.tokens(); t++) {
            double[] c = node(0, t);
            Text.upward(g, labels[t], c[0] + shift, labelsTop + Text.width(Style.LABEL, labels[t]));
        }
    }

    private double legendWidth() {
        return 2 * (24 + Style.GAP) + Text.width(Style.SMALL, "attention (summed over heads)") + Text.width(Style.SMALL, "residual stream")
                + 4 * Style.GAP;
    }

    private void drawLegend(Graphics2D g) {
        g.setFont(Style.SMALL);
        double centre = legendY + Text.height(Style.SMALL) / 2;
        double x = Style.PAD;
        String[] names = {"attention (summed over heads)", "residual stream"};
        Color[] colours = {ATTENTION, RESIDUAL};
        for (int i = 0; i < 2; i++) {
            g.setColor(colours[i]);
            g.setStroke(new BasicStroke(3f));
            g.draw(new Line2D.Double(x, centre, x + 24, centre));
            g.setColor(Style.TEXT);
            Text.left(g, names[i], x + 24 + Style.GAP, centre + Text.centreShift(Style.SMALL));
            x += 24 + Style.GAP + Text.width(Style.SMALL, names[i]) + 4 * Style.GAP;
        }
    }
}
