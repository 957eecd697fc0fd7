package headwise.engine.analysis.probe;

import headwise.engine.HeadwiseException;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The distinct labels of a data set in sorted order (class index = position): numerically when every label is a
 * number, else by string (UTF-16 order). With two classes the positive class is the one that sorts last.
 */
public record ProbeLabels(List<String> sorted, int[] classOf) {

    static ProbeLabels of(Path file, List<ProbeExample> examples) {
        boolean numeric = examples.stream().allMatch(e -> isNumber(e.label()));
        Comparator<String> order = numeric ? Comparator.comparing(BigDecimal::new) : Comparator.naturalOrder();
        TreeSet<String> distinct = new TreeSet<>(order);
        examples.forEach(e -> distinct.add(e.label()));
        if (distinct.size() < 2) {
            throw HeadwiseException.inFile(file, "every example has the label '" + distinct.first()
                    + "'; a probe needs at least two different labels");
        }
        List<String> sorted = new ArrayList<>(distinct);
        int[] classOf = new int[examples.size()];
        for (int i = 0; i < classOf.length; i++) {
            classOf[i] = sorted.indexOf(distinct.floor(examples.get(i).label()));
        }
        return new ProbeLabels(List.copyOf(sorted), classOf);
    }

    public int count() {
        return sorted.size();
    }

    public String label(int k) {
        return sorted.get(k);
    }

    /** How many of the examples {@code rows} each class has. */
    int[] counts(int[] rows) {
        int[] counts = new int[count()];
        for (int i : rows) {
            counts[classOf[i]]++;
        }
        return counts;
    }

    /** The classes of the examples {@code rows}. */
    int[] classes(int[] rows) {
        int[] out = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = classOf[rows[r]];
        }
        return out;
    }

    private static boolean isNumber(String label) {
        try {
            new BigDecimal(label);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
