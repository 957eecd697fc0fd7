package headwise.app.export;

import java.util.List;

/** RFC 4180 CSV text: comma-separated, "\n" line ends, fields quoted when they hold a comma, quote, line break or edge space. */
final class Csv {

    private final StringBuilder text = new StringBuilder();

    Csv row(List<?> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(field(fields.get(i)));
        }
        text.append('\n');
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** Numbers as Java writes them (shortest text that reads back exactly); NaN, infinities and null as empty. */
    static String field(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) ? Double.toString(d) : "";
        }
        if (value instanceof Float f) {
            return Float.isFinite(f) ? Float.toString(f) : "";
        }
        String s = value.toString();
        boolean quote = s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                || !s.isEmpty() && (Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1)));
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
