package headwise.app.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Short names of an edit for the Edit menu: "switch off L3 H2", "select L1 H4", "γ 1.00 → 0.50". */
final class EditLabels {

    private EditLabels() {
    }

    static String describe(EditHistory.Snapshot before, EditHistory.Snapshot after) {
        List<String> parts = new ArrayList<>();
        describePlan(before.plan(), after.plan(), parts);
        describeSelection(before.selection(), after.selection(), parts);
        return parts.isEmpty() ? "change" : String.join(", ", parts);
    }

    private static void describePlan(InterventionPlan a, InterventionPlan b, List<String> parts) {
        if (b.isEmpty() && !a.isEmpty()) {
            parts.add("reset interventions");
            return;
        }
        List<String> off = new ArrayList<>();
        List<String> on = new ArrayList<>();
        for (InterventionPlan.HeadRef r : b.ablated()) {
            if (!a.ablated().contains(r)) {
                off.add(head(r.layer(), r.head()));
            }
        }
        for (InterventionPlan.HeadRef r : a.ablated()) {
            if (!b.ablated().contains(r)) {
                on.add(head(r.layer(), r.head()));
            }
        }
        if (!off.isEmpty()) {
            parts.add("switch off " + list(off));
        }
        if (!on.isEmpty()) {
            parts.add("switch on " + list(on));
        }
        if (a.mode() != b.mode()) {
            parts.add(b.mode().name().toLowerCase(Locale.ROOT) + " ablation");
        }
        if (a.zeroTuning() != b.zeroTuning()) {
            parts.add(String.format(Locale.ROOT, "\u03B3 %.2f \u2192 %.2f", a.zeroTuning(), b.zeroTuning()));
        }
        if (a.calibrateSinks() != b.calibrateSinks()) {
            parts.add(b.calibrateSinks() ? "calibrate sinks" : "stop calibrating sinks");
        }
    }

    private static void describeSelection(Selection a, Selection b, List<String> parts) {
        if (a.layer() != b.layer() || a.head() != b.head()) {
            parts.add(b.head() < 0 ? "select L" + b.layer() : "select " + head(b.layer(), b.head()));
        }
        if (a.query() != b.query() || a.key() != b.key()) {
            parts.add(b.query() < 0 && b.key() < 0 ? "clear the token selection"
                    : b.key() < 0 ? "select token " + b.query() : "select tokens " + b.query() + " \u2192 " + b.key());
        }
        if (a.qkLayer() != b.qkLayer() || a.qkHead() != b.qkHead()) {
            parts.add(b.qkPinned() ? "q/k of " + head(b.qkLayer(), b.qkHead()) : "q/k of the selected head");
        }
        if (a.logScale() != b.logScale()) {
            parts.add(b.logScale() ? "log colours" : "linear colours");
        }
        if (a.importance() != b.importance()) {
            parts.add("bars: " + b.importance().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        if (a.keysByClass() != b.keysByClass()) {
            parts.add(b.keysByClass() ? "keys by class" : "keys by position");
        }
    }

    private static String head(int layer, int head) {
        return "L" + layer + " H" + head;
    }

    private static String list(List<String> heads) {
        return heads.size() <= 3 ? String.join(", ", heads) : heads.size() + " heads";
    }
}
