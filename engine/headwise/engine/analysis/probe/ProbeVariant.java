package headwise.engine.analysis.probe;

/**
 * The probes again under a perturbation (the Concept Depth paper's robustness check): Gaussian noise on the input
 * embeddings, or a copy of the model at lower precision.
 *
 * @param name      what was changed: "noise σ=0.5", "BF16", "Q8_0 (model.gguf)"…
 * @param linear    the linear probes
 * @param attentive the attentive probes, or null when none were asked for
 */
public record ProbeVariant(String name, ProbeCurve linear, ProbeCurve attentive) {
}
