package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.heads.ContextSensitivity;
import headwise.engine.hooks.Hooks;
import headwise.engine.vlm.TokenClasses.TokenClass;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Vision-aware head divergence (He et al., ACL 2025): for head h of layer l and answer position t,
 * {@code VHD_{l,h,t} = ‖z^{l,h}_t(image, text) − z^{l,h}_t(text)‖₂}, z being the head's output before the output
 * projection (hook_z). "Without the image" is the same sequence with the image run removed: an answer position i after
 * the image is position i − N of the text-only run (N image tokens), its rotary position moved up with it.
 * The map is the mean over the answer positions; T-VHD_t is the mean of the top-k heads' VHD at position t.
 *
 * @param answers [n] the answer positions (full sequence)
 * @param map     [layer][head] mean VHD over the answers
 * @param perAnswer [answer][layer][head]
 * @param tokenVhd [answer] T-VHD with {@code k} heads
 */
public record HeadDivergence(int[] answers, double[][] map, double[][][] perAnswer, int k, double[] tokenVhd) {

    /** A head and its VHD, for the ranked list. */
    public record RankedHead(int layer, int head, double vhd) {
    }

    /**
     * @param answers the answer positions, all after the image; null = the GENERATED positions, or the last position
     * @param k       heads averaged into T-VHD (≥ 1)
     */
    public static HeadDivergence compute(JoinedSequence sequence, int[] answers, int k) {
        var classes = sequence.classes();
        if (classes.imageCount() == 0) {
            throw new HeadwiseException("VHD: the sequence holds no image");
        }
        int imageEnd = classes.imageEnd();
        int[] chosen = answers != null ? answers.clone() : defaultAnswers(sequence);
        if (chosen.length == 0) {
            throw new HeadwiseException("VHD: no answer positions");
        }
        for (int i : chosen) {
            if (i < imageEnd || i >= sequence.length()) {
                throw new HeadwiseException("VHD: answer position " + i + " must lie after the image (" + imageEnd + ".."
                        + (sequence.length() - 1) + "): earlier positions cannot see it");
            }
        }
        var spec = sequence.decoder().spec();
        if (k < 1 || k > spec.layers() * spec.heads()) {
            throw new HeadwiseException("VHD: top-k must be in 1.." + spec.layers() * spec.heads() + ", is " + k);
        }
        int[] kept = sequence.keptWithout(sequence.imagePositions());
        Hooks z = Hooks.capturing(name -> name.endsWith("attn.hook_z"));
        var with = sequence.run(z).cache();
        var without = sequence.decoder().runFromEmbeddings(sequence.rows(kept), z).cache();
        int[] mapped = Arrays.stream(chosen).map(i -> i - classes.imageCount()).toArray();
        double[][][] perAnswer = ContextSensitivity.zDistances(with, without, spec, chosen, mapped)[0];

        double[][] map = new double[spec.layers()][spec.heads()];
        double[] tokenVhd = new double[chosen.length];
        for (int a = 0; a < chosen.length; a++) {
            double[] flat = new double[spec.layers() * spec.heads()];
            for (int l = 0; l < spec.layers(); l++) {
                for (int h = 0; h < spec.heads(); h++) {
                    map[l][h] += perAnswer[a][l][h] / chosen.length;
                    flat[l * spec.heads() + h] = perAnswer[a][l][h];
                }
            }
            Arrays.sort(flat);
            double top = 0;
            for (int n = 0; n < k; n++) {
                top += flat[flat.length - 1 - n];
            }
            tokenVhd[a] = top / k;
        }
        return new HeadDivergence(chosen, map, perAnswer, k, tokenVhd);
    }

    /** Every head, by descending mean VHD (ties in layer, head order). */
    public List<RankedHead> ranked() {
        List<RankedHead> out = new ArrayList<>();
        for (int l = 0; l < map.length; l++) {
            for (int h = 0; h < map[l].length; h++) {
                out.add(new RankedHead(l, h, map[l][h]));
            }
        }
        out.sort((a, b) -> Double.compare(b.vhd(), a.vhd()));
        return out;
    }

    /** The GENERATED positions, or the last position when nothing was generated. */
    private static int[] defaultAnswers(JoinedSequence sequence) {
        int[] generated = IntStream.range(0, sequence.length()).filter(i -> sequence.classes().at(i) == TokenClass.GENERATED).toArray();
        return generated.length > 0 ? generated : new int[] {sequence.length() - 1};
    }
}
