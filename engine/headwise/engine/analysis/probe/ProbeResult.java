package headwise.engine.analysis.probe;

import java.util.List;

/**
 * The probes of one data set on one model.
 *
 * @param settings     what was probed and how (site, position, seed, noise)
 * @param labels       the classes in sorted order (two classes: the last is the positive one)
 * @param embedding    the probe on the embedding output (before block 0)
 * @param layers       one probe per block, index = the 0-based block whose output (at the site) was probed
 * @param depth        the first block whose accuracy reaches {@link LayerProbing#DEPTH_FRACTION} of the best block's
 * @param headAccuracy [L][H] test accuracy of a probe on each head's hook_z; null when not asked for
 */
public record ProbeResult(ProbeSettings settings, List<String> labels, ProbeSplit split, ProbeScore embedding,
                          List<ProbeScore> layers, int depth, double[][] headAccuracy) {
}
