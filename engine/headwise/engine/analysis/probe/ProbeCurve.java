package headwise.engine.analysis.probe;

import java.util.List;

/**
 * One kind of probe on every block: the scores on the embedding output and per block, and the depth.
 *
 * @param embedding the probe on the embedding output (before block 0)
 * @param layers    one probe per block, index = the 0-based block whose output (at the site) was probed
 * @param depth     the first block whose accuracy reaches {@link LayerProbing#DEPTH_FRACTION} of the best block's
 */
public record ProbeCurve(ProbeScore embedding, List<ProbeScore> layers, int depth) {

    public double[] accuracy() {
        return layers.stream().mapToDouble(ProbeScore::accuracy).toArray();
    }

    public double[] f1() {
        return layers.stream().mapToDouble(ProbeScore::f1).toArray();
    }

    public double[] auc() {
        return layers.stream().mapToDouble(ProbeScore::auc).toArray();
    }
}
