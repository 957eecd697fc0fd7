package headwise.app.export;

import headwise.app.export.SessionAnalysis.Part;
import headwise.engine.model.ModelSpec;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * How long each {@link Part} will take for one run, in seconds: its work counted in forwards of the run's own
 * shape (from the model's layers, heads, widths and the input's length T), times the forward time measured on this
 * machine for this run. Once a part has really run, its measured time corrects the next estimates of that part (the
 * counts are rough; the correction makes them this machine's). Immutable except for those corrections; FX thread.
 */
public final class PartCosts {

    /** Parts estimated at most this long are computed without being asked for, unless the property says otherwise. */
    public static final double CHEAP_SECONDS = 2.0;
    /** The system property that sets another limit in seconds (0: compute nothing unasked; tests on a busy machine). */
    public static final String CHEAP_SECONDS_PROPERTY = "headwise.autoComputeSeconds";

    /** Loops in plain Java (rollout, contribution norms) against ND4J's matrix products, per multiply-add. */
    private static final double JAVA_SLOWDOWN = 4;

    private final Map<Part, Double> correction = new EnumMap<>(Part.class);

    /** The estimate in seconds of {@code part} for a run of {@code tokens} tokens whose forward took {@code forwardSeconds}. */
    public double seconds(Part part, ModelSpec spec, int tokens, double forwardSeconds) {
        return forwards(part, spec, tokens) * Math.max(forwardSeconds, 1e-4) * correction.getOrDefault(part, 1.0);
    }

    /** Whether {@code part} is cheap enough to compute on its own. */
    public boolean cheap(Part part, ModelSpec spec, int tokens, double forwardSeconds) {
        return part != Part.COMPARISON && seconds(part, spec, tokens, forwardSeconds) <= cheapSeconds();
    }

    /** {@link #CHEAP_SECONDS}, or what {@link #CHEAP_SECONDS_PROPERTY} sets. */
    public static double cheapSeconds() {
        try {
            return Double.parseDouble(System.getProperty(CHEAP_SECONDS_PROPERTY, String.valueOf(CHEAP_SECONDS)));
        } catch (NumberFormatException e) {
            return CHEAP_SECONDS;
        }
    }

    /**
     * Learns from a part that really ran: the next estimate of {@code part} is scaled so this one would have been
     * right (bounded, so one odd measurement, a cold JIT say, cannot swing it by more than 10×).
     */
    public void measured(Part part, ModelSpec spec, int tokens, double forwardSeconds, double actualSeconds) {
        double plain = forwards(part, spec, tokens) * Math.max(forwardSeconds, 1e-4);
        if (plain > 0 && actualSeconds > 0) {
            correction.put(part, Math.max(0.1, Math.min(10, actualSeconds / plain)));
        }
    }

    /** {@code part}'s work counted in forwards of this shape. */
    static double forwards(Part part, ModelSpec spec, int tokens) {
        double forward = forwardFlops(spec, tokens);
        double t = tokens;
        return switch (part) {
            // residual stream, head-type detection and logit lens: three forwards; rollout: L products of T×T
            case METRICS -> 3 + JAVA_SLOWDOWN * 2 * spec.layers() * t * t * t / forward;
            // one ablation per head (each re-runs half the layers on average), then one forward and backward
            case IMPORTANCE -> spec.layers() * spec.heads() / 2.0 + 3;
            // one forward, then per layer, head, query and key the norm of a d-wide vector
            case FLOW -> 1 + JAVA_SLOWDOWN * 2.0 * spec.layers() * spec.heads() * t * t * spec.dModel() / forward;
            case COMPARISON -> 1;
            // four gradient passes (grad-input, AttnLRP, CP-LRP, Chefer's), each measured at 3.5–8 forwards; rollout is free
            case RELEVANCE -> 4 * 6;
        };
    }

    /** Multiply-adds of one forward: projections and MLP (T·d² and T·d·d_mlp per layer) and attention (T²·d). */
    private static double forwardFlops(ModelSpec spec, int tokens) {
        double t = tokens;
        double d = spec.dModel();
        double perLayer = 4 * t * d * d + 2 * t * d * spec.dMlp() + 2 * t * t * d;
        return spec.layers() * perLayer;
    }

    /** "about 40 s", "about 3 min", "under a second" for a button. */
    public static String describe(double seconds) {
        if (seconds < 1) {
            return "under a second";
        }
        if (seconds < 90) {
            return String.format(Locale.ROOT, "about %d s", Math.round(seconds));
        }
        if (seconds < 5400) {
            return String.format(Locale.ROOT, "about %d min", Math.round(seconds / 60));
        }
        return String.format(Locale.ROOT, "about %.1f h", seconds / 3600);
    }
}
