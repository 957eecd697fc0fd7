package headwise.app.export;

import java.util.List;
import java.util.Map;

/** Reads values out of metrics.json's map ({@code MetricsReport.compute}): nested maps and lists of numbers. */
public final class MetricsMap {

    private MetricsMap() {
    }

    /** The value at a key path, or null when any step is missing. */
    public static Object get(Map<String, Object> metrics, String... path) {
        Object node = metrics;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    /** A list of numbers as doubles (null entries as NaN), or null when the path is missing or not such a list. */
    public static double[] numbers(Map<String, Object> metrics, String... path) {
        return metrics == null ? null : toDoubles(get(metrics, path));
    }

    /** A list of lists of numbers, or null. */
    public static double[][] matrix(Map<String, Object> metrics, String... path) {
        Object node = metrics == null ? null : get(metrics, path);
        if (!(node instanceof List<?> rows)) {
            return null;
        }
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDoubles(rows.get(i));
            if (out[i] == null) {
                return null;
            }
        }
        return out;
    }

    /** [[layer, head], …] lists (head_types.*_heads), or null. */
    public static int[][] pairs(Map<String, Object> metrics, String... path) {
        double[][] m = matrix(metrics, path);
        if (m == null) {
            return null;
        }
        int[][] out = new int[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new int[] {(int) m[i][0], (int) m[i][1]};
        }
        return out;
    }

    private static double[] toDoubles(Object node) {
        if (!(node instanceof List<?> list)) {
            return null;
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (v == null) {
                out[i] = Double.NaN;
            } else if (v instanceof Number n) {
                out[i] = n.doubleValue();
            } else {
                return null;
            }
        }
        return out;
    }
}
