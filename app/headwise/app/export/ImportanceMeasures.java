package headwise.app.export;

import headwise.app.session.ImportanceChoice;
import headwise.app.session.Session;

import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.Readout;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.run.AttentionMaps;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The head-importance measures a session has, as [layer][head] matrices with names for figures and tables. */
public final class ImportanceMeasures {

    /**
     * @param shortName column and rank-agreement name ("ablation_dloss")
     * @param title     figure heading ("ablation \u0394loss")
     * @param note      what the numbers are
     */
    public record Measure(String shortName, String title, String note, double[][] scores) {
    }

    private ImportanceMeasures() {
    }

    /**
     * Ablation and gradient measures (those present), the AttnLRP relevance through each head when relevance maps were
     * computed, then confidence and entropy of the run's attention.
     */
    public static List<Measure> of(Session s) {
        List<Measure> out = learned(s);
        headRelevance(s).ifPresent(out::add);
        AttentionMaps a = s.result().attention();
        out.add(new Measure("confidence", "confidence", "mean over queries of the largest weight", AttentionStatistics.confidence(a)));
        out.add(new Measure("entropy", "entropy", "mean attention entropy (nats); low: focused", AttentionStatistics.entropy(a)));
        return out;
    }

    /** AttnLRP's relevance through each head's output (it comes with the map, docs/relevance.md), if computed. */
    static Optional<Measure> headRelevance(Session s) {
        List<RelevanceMap> maps = s.results().relevance();
        if (maps == null) {
            return Optional.empty();
        }
        return maps.stream()
                .filter(m -> m.method().equals(RelevanceMethod.ATTN_LRP.id()) && m.heads() != null)
                .findFirst()
                .map(m -> new Measure("relevance_attnlrp", "AttnLRP head relevance",
                        "relevance through each head's output for output " + m.target().id() + " at position "
                                + m.target().position(), m.heads()));
    }

    /** The ablation and gradient measures the session has (cheap: no pass over the attention). */
    public static List<Measure> learned(Session s) {
        List<Measure> out = new ArrayList<>();
        AblationScores ab = s.ablation();
        if (ab != null) {
            String how = ab.mode().name().toLowerCase() + " ablation";
            if (ab.readout() == Readout.HIDDEN) {
                out.add(new Measure("ablation_hidden", "ablation \u2016\u0394hidden\u2016", how + ", last hidden state change", ab.hiddenChange()));
            } else {
                out.add(new Measure("ablation_dloss", "ablation \u0394loss", how + ", loss change (nats)", ab.deltaLoss()));
                out.add(new Measure("ablation_kl", "ablation KL", how + ", KL(clean \u2016 ablated) at the read position", ab.kl()));
            }
        }
        if (s.gradient() != null) {
            out.add(new Measure("gradient", "gradient |\u2202L/\u2202\u03BE|", s.gradient().objective(), s.gradient().importance()));
        }
        return out;
    }

    /** The measure the model view's bars show: ablation's main effect, else gradient importance, else null. */
    public static Measure primary(Session s) {
        List<Measure> learned = learned(s);
        return learned.isEmpty() ? null : learned.get(0);
    }

    /**
     * What the model view's bars show: the session's chosen measure (ablation's main effect in the chosen mode, or
     * gradient importance), named with its mode; null while that measure is not computed.
     */
    public static Measure forBars(Session s) {
        ImportanceChoice choice = s.importance();
        if (choice.ablation() == null) {
            List<Measure> learned = learned(s);
            return s.gradient() == null ? null : learned.get(learned.size() - 1); // the gradient measure comes last
        }
        if (s.ablation() == null || s.ablation().mode() != choice.ablation()) {
            return null;
        }
        Measure main = learned(s).get(0);
        return new Measure(main.shortName(), choice + " " + main.title().replaceFirst("^ablation ", ""), main.note(), main.scores());
    }
}
