package headwise.engine.analysis.probe;

import java.util.List;

/**
 * The probes of one data set on one model.
 *
 * @param settings     what was probed and how (site, position, seed, noise, queries)
 * @param labels       the classes in sorted order (two classes: the last is the positive one)
 * @param linear       the linear probes on the model as loaded, without noise
 * @param attentive    the attentive probes, or null when not asked for
 * @param headAccuracy [L][H] test accuracy of a probe on each head's hook_z; null when not asked for
 * @param attention    the attentive probes' attention over one example, or null
 * @param variants     the same probes with noise on the embeddings and on lower-precision copies (none when not asked)
 */
public record ProbeResult(ProbeSettings settings, List<String> labels, ProbeSplit split, ProbeCurve linear,
                          ProbeCurve attentive, double[][] headAccuracy, ProbeAttention attention, List<ProbeVariant> variants) {

    public ProbeScore embedding() {
        return linear.embedding();
    }

    public List<ProbeScore> layers() {
        return linear.layers();
    }

    public int depth() {
        return linear.depth();
    }

    ProbeResult withVariants(List<ProbeVariant> other) {
        return new ProbeResult(settings, labels, split, linear, attentive, headAccuracy, attention, List.copyOf(other));
    }
}
