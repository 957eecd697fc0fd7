package headwise.app.session;

import headwise.engine.hooks.Interventions;

import java.util.Locale;

/** Which head-importance measure colours the model view's bars: zero or mean ablation, or the gradient measure. */
public enum ImportanceChoice {
    ZERO_ABLATION("zero ablation", Interventions.Ablation.ZERO),
    MEAN_ABLATION("mean ablation", Interventions.Ablation.MEAN),
    GRADIENT("gradient", null);

    private final String label;
    private final Interventions.Ablation ablation;

    ImportanceChoice(String label, Interventions.Ablation ablation) {
        this.label = label;
        this.ablation = ablation;
    }

    /** The ablation this choice shows, or null for the gradient measure. */
    public Interventions.Ablation ablation() {
        return ablation;
    }

    /** The ablation importance is computed in for this choice: its own, zero for the gradient measure (computed beside it). */
    public Interventions.Ablation ablationComputed() {
        return ablation == null ? Interventions.Ablation.ZERO : ablation;
    }

    /** Its name in session files: "zero", "mean", "gradient". */
    public String key() {
        return ablation == null ? "gradient" : ablation.name().toLowerCase(Locale.ROOT);
    }

    /** The choice whose {@link #key} is {@code key}, or null. */
    public static ImportanceChoice ofKey(String key) {
        for (ImportanceChoice c : values()) {
            if (c.key().equals(key)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return label;
    }
}
