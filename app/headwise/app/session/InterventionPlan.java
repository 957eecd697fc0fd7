package headwise.app.session;

import headwise.engine.analysis.Sinks;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.run.AnalysisResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the interventions page changes in a run: heads switched off (zero or mean ablation at hook_z), the first
 * token's attention scaled by γ in every head (ZeroTuning), and ACT calibration of the hidden sinks detected in the
 * original run (their columns scaled by β = 0.4, rows renormalised). Immutable; {@link #none()} changes nothing.
 *
 * @param ablated        heads switched off, sorted by layer then head, no duplicates
 * @param mode           zero or mean ablation
 * @param zeroTuning     γ for the first token's attention; 1 = unchanged
 * @param calibrateSinks apply ACT calibration to the detected hidden sinks
 */
public record InterventionPlan(List<HeadRef> ablated, Interventions.Ablation mode, double zeroTuning, boolean calibrateSinks) {

    /** ACT's β: a calibrated sink column keeps this fraction of its attention. */
    public static final double ACT_BETA = 0.4;
    /** γ is kept within this range (0 would remove the first token entirely). */
    public static final double MIN_GAMMA = 0.0;
    public static final double MAX_GAMMA = 4.0;

    /** One head. */
    public record HeadRef(int layer, int head) {
    }

    public InterventionPlan {
        ablated = ablated.stream().distinct()
                .sorted(Comparator.comparingInt(HeadRef::layer).thenComparingInt(HeadRef::head)).toList();
        mode = mode == null ? Interventions.Ablation.ZERO : mode;
        zeroTuning = Double.isFinite(zeroTuning) ? Math.max(MIN_GAMMA, Math.min(MAX_GAMMA, zeroTuning)) : 1.0;
    }

    public static InterventionPlan none() {
        return new InterventionPlan(List.of(), Interventions.Ablation.ZERO, 1.0, false);
    }

    /** True when the plan leaves the run as it is. */
    public boolean isEmpty() {
        return ablated.isEmpty() && zeroTuning == 1.0 && !calibrateSinks;
    }

    public boolean isAblated(int layer, int head) {
        return ablated.contains(new HeadRef(layer, head));
    }

    /** The plan with head (layer, head) switched on or off. */
    public InterventionPlan withHead(int layer, int head, boolean off) {
        List<HeadRef> heads = new ArrayList<>(ablated);
        heads.remove(new HeadRef(layer, head));
        if (off) {
            heads.add(new HeadRef(layer, head));
        }
        return new InterventionPlan(heads, mode, zeroTuning, calibrateSinks);
    }

    public InterventionPlan withMode(Interventions.Ablation m) {
        return new InterventionPlan(ablated, m, zeroTuning, calibrateSinks);
    }

    public InterventionPlan withZeroTuning(double gamma) {
        return new InterventionPlan(ablated, mode, gamma, calibrateSinks);
    }

    public InterventionPlan withSinkCalibration(boolean on) {
        return new InterventionPlan(ablated, mode, zeroTuning, on);
    }

    /** Drops heads outside a model of {@code layers} × {@code heads} (a plan restored for another model). */
    public InterventionPlan fittedTo(int layers, int heads) {
        return new InterventionPlan(ablated.stream().filter(r -> r.layer() >= 0 && r.layer() < layers && r.head() >= 0 && r.head() < heads)
                .toList(), mode, zeroTuning, calibrateSinks);
    }

    /**
     * The hooks that apply this plan. {@code original} is the unchanged run on the same input: ACT calibrates the
     * sinks detected in it.
     */
    public Hooks hooks(AnalysisResult original) {
        Hooks hooks = Hooks.none();
        int layers = original.spec().layers();
        if (zeroTuning != 1.0) {
            for (int l = 0; l < layers; l++) {
                Interventions.reweightKeys(hooks, l, zeroTuning, new int[] {0});
            }
        }
        if (calibrateSinks) {
            double[][][] scores = Sinks.scores(original.attention(), original.spec().causal());
            Map<Integer, Map<Integer, List<Integer>>> sinks = new TreeMap<>();
            for (Sinks.HiddenSink s : Sinks.hidden(scores, Sinks.DEFAULT_ALPHA)) {
                sinks.computeIfAbsent(s.layer(), k -> new TreeMap<>()).computeIfAbsent(s.head(), k -> new ArrayList<>()).add(s.token());
            }
            sinks.forEach((layer, byHead) -> byHead.forEach((head, keys) ->
                    Interventions.reweightKeys(hooks, layer, ACT_BETA, keys.stream().mapToInt(Integer::intValue).toArray(), head)));
        }
        Map<Integer, List<Integer>> byLayer = new TreeMap<>();
        for (HeadRef r : ablated) {
            byLayer.computeIfAbsent(r.layer(), k -> new ArrayList<>()).add(r.head());
        }
        byLayer.forEach((layer, heads) -> Interventions.ablateHeads(hooks, layer, mode, heads.stream().mapToInt(Integer::intValue).toArray()));
        return hooks;
    }

    /** One line for the status bar and the page: "2 heads off (zero), γ = 0.50, sinks calibrated". */
    public String describe() {
        if (isEmpty()) {
            return "no interventions";
        }
        List<String> parts = new ArrayList<>();
        if (!ablated.isEmpty()) {
            parts.add(ablated.size() + (ablated.size() == 1 ? " head" : " heads") + " off (" + mode.name().toLowerCase() + ")");
        }
        if (zeroTuning != 1.0) {
            parts.add(String.format(Locale.ROOT, "first-token attention \u00D7 %.2f", zeroTuning));
        }
        if (calibrateSinks) {
            parts.add("hidden sinks calibrated (\u03B2 = " + ACT_BETA + ")");
        }
        return String.join(", ", parts);
    }
}
