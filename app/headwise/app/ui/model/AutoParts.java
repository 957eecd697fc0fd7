package headwise.app.ui.model;

import headwise.app.export.PartCosts;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.session.Results;
import headwise.engine.hooks.Interventions;
import headwise.engine.model.ModelSpec;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which analysis to compute next without being asked: the cheap ones ({@link PartCosts#cheapSeconds}) a run still
 * lacks, those of the page being looked at first, one at a time, each tried once per run (a failure is not retried).
 * The estimates come from the run's measured forward and are corrected by each part's measured time. FX thread only.
 */
final class AutoParts {

    /** The parts each page draws, most visible first; pages not named need none. */
    private static final Map<String, List<Part>> PAGE_PARTS = Map.of(
            "Flow", List.of(Part.FLOW, Part.METRICS),
            "Importance", List.of(Part.IMPORTANCE, Part.METRICS),
            "Layers", List.of(Part.METRICS, Part.IMPORTANCE),
            "Sinks", List.of(Part.METRICS),
            "ViT", List.of(Part.METRICS),
            "Model view", List.of(Part.METRICS, Part.IMPORTANCE));
    /** After the page's own: the order the other pages get theirs in. */
    private static final List<Part> REST = List.of(Part.METRICS, Part.FLOW, Part.IMPORTANCE);

    /** A model's first forward also warms up the JIT and ND4J: below this it is timed again before it is trusted. */
    static final double RETIME_BELOW_SECONDS = 2.0;

    private final PartCosts costs = new PartCosts();
    private final Set<Part> tried = EnumSet.noneOf(Part.class);
    private ModelSpec spec;
    private int tokens;
    private double forwardSeconds = Double.NaN;
    /** The model whose forward was timed warm: later runs on it are warm too. */
    private Object warmModel;

    /** A new run on {@code model}: nothing tried for it yet; its forward took {@code forwardSeconds}. */
    void newRun(Object model, ModelSpec spec, int tokens, double forwardSeconds) {
        this.spec = spec;
        this.tokens = tokens;
        this.forwardSeconds = forwardSeconds;
        tried.clear();
        if (forwardSeconds >= RETIME_BELOW_SECONDS) {
            warmModel = model; // warm-up is small beside a forward this long
        }
    }

    /** Whether this run's forward should be timed again first (the first short run of a model: a cold forward). */
    boolean needsRetime(Object model) {
        return spec != null && model != warmModel;
    }

    /** A second forward of the run took {@code seconds}: the estimates use the faster of the two. */
    void retimed(Object model, double seconds) {
        warmModel = model;
        forwardSeconds = Math.min(forwardSeconds, seconds);
    }

    /** The run is gone (a new input started, a failure): nothing more is started for it. */
    void stop() {
        spec = null;
    }

    /** The estimated seconds of {@code part} for the current run, NaN before a run and for the comparison (it needs a second input). */
    double seconds(Part part) {
        return spec == null || Double.isNaN(forwardSeconds) || part == Part.COMPARISON ? Double.NaN
                : costs.seconds(part, spec, tokens, forwardSeconds);
    }

    /** A part of the current run really took {@code seconds}: later estimates of it follow. */
    void measured(Part part, double seconds) {
        if (spec != null) {
            costs.measured(part, spec, tokens, forwardSeconds, seconds);
        }
    }

    /**
     * The next part to compute on its own while {@code page} is shown, or null when every cheap one is there or was
     * tried; the part returned counts as tried.
     */
    Part next(String page, Results results, Interventions.Ablation mode) {
        if (spec == null || results == null) {
            return null;
        }
        for (Part part : order(page)) {
            if (!tried.contains(part) && !PartJobs.has(results, part, mode) && costs.cheap(part, spec, tokens, forwardSeconds)) {
                tried.add(part);
                return part;
            }
        }
        return null;
    }

    /** The parts in the order they are computed while {@code page} is shown. */
    static List<Part> order(String page) {
        Set<Part> out = new LinkedHashSet<>(PAGE_PARTS.getOrDefault(page, List.of()));
        out.addAll(REST);
        return List.copyOf(out);
    }
}
