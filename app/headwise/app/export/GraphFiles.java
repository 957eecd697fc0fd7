package headwise.app.export;

import com.google.gson.GsonBuilder;
import headwise.engine.analysis.flow.ContributionGraph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The contribution graph as JSON and GraphML. Nodes are (layer, token), id "L{layer}_T{token}", layer 0 the
 * embeddings; every (layers + 1) × tokens node is listed, also those no kept edge touches. Edges go from
 * (toLayer − 1, fromToken) to (toLayer, toToken) with their weight and kind ("attention" or "residual").
 */
final class GraphFiles {

    private GraphFiles() {
    }

    static String nodeId(int layer, int token) {
        return "L" + layer + "_T" + token;
    }

    /** {"layers", "tokens", "target", "threshold", "nodes": [{id, layer, token, label}], "edges": [{source, target, weight, kind}]}. */
    static String json(ContributionGraph g, String[] tokens) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("layers", g.layers());
        out.put("tokens", g.tokens());
        out.put("target", g.target());
        out.put("threshold", g.threshold());
        List<Object> nodes = new ArrayList<>();
        for (int l = 0; l <= g.layers(); l++) {
            for (int t = 0; t < g.tokens(); t++) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("id", nodeId(l, t));
                n.put("layer", l);
                n.put("token", t);
                n.put("label", label(tokens, t));
                nodes.add(n);
            }
        }
        out.put("nodes", nodes);
        List<Object> edges = new ArrayList<>();
        for (ContributionGraph.Edge e : g.edges()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", nodeId(e.toLayer() - 1, e.fromToken()));
            m.put("target", nodeId(e.toLayer(), e.toToken()));
            m.put("weight", e.weight());
            m.put("kind", kind(e));
            edges.add(m);
        }
        out.put("edges", edges);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(out) + "\n";
    }

    /** GraphML (directed) with node keys layer, token, label and edge keys weight, kind. */
    static String graphml(ContributionGraph g, String[] tokens) {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
        x.append("  <key id=\"layer\" for=\"node\" attr.name=\"layer\" attr.type=\"int\"/>\n");
        x.append("  <key id=\"token\" for=\"node\" attr.name=\"token\" attr.type=\"int\"/>\n");
        x.append("  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n");
        x.append("  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
        x.append("  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n");
        x.append("  <graph id=\"flow\" edgedefault=\"directed\">\n");
        for (int l = 0; l <= g.layers(); l++) {
            for (int t = 0; t < g.tokens(); t++) {
                x.append("    <node id=\"").append(nodeId(l, t)).append("\">")
                        .append("<data key=\"layer\">").append(l).append("</data>")
                        .append("<data key=\"token\">").append(t).append("</data>")
                        .append("<data key=\"label\">").append(escape(label(tokens, t))).append("</data></node>\n");
            }
        }
        int i = 0;
        for (ContributionGraph.Edge e : g.edges()) {
            x.append("    <edge id=\"e").append(i++).append("\" source=\"").append(nodeId(e.toLayer() - 1, e.fromToken()))
                    .append("\" target=\"").append(nodeId(e.toLayer(), e.toToken())).append("\">")
                    .append("<data key=\"weight\">").append(e.weight()).append("</data>")
                    .append("<data key=\"kind\">").append(kind(e)).append("</data></edge>\n");
        }
        x.append("  </graph>\n</graphml>\n");
        return x.toString();
    }

    private static String kind(ContributionGraph.Edge e) {
        return e.kind().name().toLowerCase(Locale.ROOT);
    }

    private static String label(String[] tokens, int t) {
        return tokens == null || t >= tokens.length ? Integer.toString(t) : tokens[t];
    }

    /** XML text: &amp; &lt; &gt; &quot; escaped, control characters (not allowed in XML 1.0) as U+FFFD. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                        out.append('\uFFFD');
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
