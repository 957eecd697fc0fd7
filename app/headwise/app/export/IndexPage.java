package headwise.app.export;

import headwise.app.session.Session;

import headwise.engine.run.AnalysisResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** index.html of an export folder: the run, each figure (its SVG shown, PNG/SVG/PDF linked) and the data files. */
final class IndexPage {

    private IndexPage() {
    }

    static String html(Session s, List<ViewKind> views, Map<ViewKind, String> skipped, List<Exporter.DataFile> data, Path dir) {
        AnalysisResult r = s.result();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.append("<title>Headwise: ").append(escape(Titles.of(r))).append("</title>\n");
        h.append("<style>\nbody{font-family:sans-serif;margin:2em;color:#202020;max-width:1400px}\n")
                .append("figure{margin:2em 0}img{max-width:100%;height:auto;border:1px solid #ddd}\n")
                .append("figcaption a{margin-right:1em}td,th{padding:2px 12px;text-align:left}.note{color:#707070}\n</style>\n");
        h.append("</head>\n<body>\n");
        h.append("<h1>").append(escape(Titles.of(r))).append("</h1>\n");
        h.append("<p>").append(escape(r.modelName())).append(" (").append(escape(r.spec().architecture())).append("), ")
                .append(r.attention().layers()).append(" layers \u00D7 ").append(r.attention().heads()).append(" heads, ")
                .append(r.attention().length()).append(" tokens. Selected: layer ").append(s.layer()).append(", ")
                .append(s.head() < 0 ? "all heads" : "head " + s.head()).append(".</p>\n");
        h.append("<h2>Figures</h2>\n<ul>\n");
        for (ViewKind v : views) {
            h.append("<li><a href=\"#").append(v.cliName()).append("\">").append(escape(v.title())).append("</a></li>\n");
        }
        h.append("</ul>\n");
        for (ViewKind v : views) {
            String base = Exporter.FIGURES + "/" + v.cliName();
            h.append("<figure id=\"").append(v.cliName()).append("\">\n<h3>").append(escape(v.title())).append("</h3>\n");
            h.append("<img src=\"").append(base).append(".svg\" alt=\"").append(escape(v.title())).append("\">\n");
            h.append("<figcaption>");
            for (String ext : new String[] {"png", "svg", "pdf"}) {
                h.append("<a href=\"").append(base).append('.').append(ext).append("\">").append(ext.toUpperCase()).append("</a>");
            }
            h.append("</figcaption>\n</figure>\n");
        }
        if (!skipped.isEmpty()) {
            h.append("<h2>Not drawn</h2>\n<ul>\n");
            for (Map.Entry<ViewKind, String> e : skipped.entrySet()) {
                h.append("<li>").append(escape(e.getKey().title())).append(": <span class=\"note\">").append(escape(e.getValue()))
                        .append("</span></li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("<h2>Data</h2>\n<table>\n<tr><th>file</th><th>bytes</th><th>contents</th></tr>\n");
        for (Exporter.DataFile d : data) {
            String path = Exporter.DATA + "/" + d.name();
            h.append("<tr><td><a href=\"").append(path).append("\">").append(escape(d.name())).append("</a></td><td>")
                    .append(size(dir.resolve(path))).append("</td><td>").append(escape(d.description())).append("</td></tr>\n");
        }
        h.append("</table>\n</body>\n</html>\n");
        return h.toString();
    }

    private static String size(Path file) {
        try {
            return Long.toString(Files.size(file));
        } catch (IOException e) {
            return "";
        }
    }

    static String escape(String s) {
        return GraphFiles.escape(s);
    }
}
