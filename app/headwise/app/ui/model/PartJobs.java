package headwise.app.ui.model;

import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.SessionAnalysis;
import headwise.app.session.RelevanceChoice;
import headwise.app.session.Results;
import headwise.app.session.Selection;
import headwise.engine.hooks.Interventions;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The analyses a page asks for after a run (metrics, importance, flow), as follow-up jobs of the run's input: each
 * part is queued once, computed on the run's own input, and merged into whatever the results are when it arrives.
 * FX thread only.
 */
final class PartJobs {

    /** A part as queued: importance in one ablation mode is not importance in the other. */
    private record Queued(Part part, Interventions.Ablation mode) {
    }

    /**
     * A computed part: the results with it, how long it took, and what the job left out and why (a measure the input
     * is too long for), one line each.
     */
    record Done(Results results, double seconds, List<String> notes) {
    }

    private final Set<Queued> queued = new HashSet<>();

    /** A new input: nothing is queued for it yet. */
    void clear() {
        queued.clear();
    }

    /**
     * The job computing {@code part} for {@code results} with {@code model}, or null when it is computed or queued
     * already. {@code onDone} gets the part's results and the seconds it took (FX thread).
     */
    RunScheduler.Job<Done> job(Part part, Results results, Selection selection, ModelLifecycle.Handle model,
                               Consumer<Done> onDone) {
        Interventions.Ablation mode = ablationWanted(selection);
        Queued key = new Queued(part, part == Part.IMPORTANCE ? mode : null);
        if (part == Part.COMPARISON || has(results, part, mode) || !queued.add(key)) {
            return null;
        }
        // the Relevance page's saved target, unless it does not fit this run (another input or model): then the top one
        RelevanceChoice rc = selection.relevance();
        boolean fits = rc.position() < results.result().input().length() && rc.target() < results.result().output().cols();
        SessionAnalysis.Options options = new SessionAnalysis.Options(selection.layer(), selection.head(), selection.logScale(),
                null, -1, SessionAnalysis.Options.defaults().flowThreshold(), fits ? rc.positionOrNull() : null,
                fits ? rc.targetOrNull() : null);
        return new RunScheduler.Job<>("Computing " + describe(part, mode) + "\u2026", p -> {
            try (ModelLifecycle.Lease lease = model.lease()) {
                long start = System.nanoTime();
                List<String> notes = new ArrayList<>();
                Results out = SessionAnalysis.addParts(lease.model(), results, EnumSet.of(part), options, mode, notes::add);
                return new Done(out, (System.nanoTime() - start) / 1e9, List.copyOf(notes));
            }
        }, done -> {
            queued.remove(key);
            onDone.accept(done);
        });
    }

    static String describe(Part part, Interventions.Ablation mode) {
        return switch (part) {
            case METRICS -> "metrics and head types";
            case IMPORTANCE -> "head importance (" + mode.name().toLowerCase(Locale.ROOT) + " ablation and gradient)";
            case FLOW -> "the information flow";
            case COMPARISON -> "the comparison";
            case RELEVANCE -> "relevance maps (every method)";
        };
    }

    /** The ablation mode importance is computed in: the bars' choice, zero when they show the gradient measure. */
    static Interventions.Ablation ablationWanted(Selection selection) {
        return selection.importance().ablationComputed();
    }

    static boolean has(Results r, Part part, Interventions.Ablation mode) {
        return switch (part) {
            case METRICS -> r.metrics() != null;
            case IMPORTANCE -> SessionAnalysis.importanceComplete(r, mode);
            case FLOW -> r.flow() != null;
            case COMPARISON -> r.comparison() != null;
            case RELEVANCE -> r.relevance() != null;
        };
    }
}
