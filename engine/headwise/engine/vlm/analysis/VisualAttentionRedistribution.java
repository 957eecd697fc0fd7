package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.intervene.OutputShift;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.Ops;
import headwise.engine.vlm.TokenClasses;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * VAR, Visual Attention Redistribution (Kang et al. 2025), as an intervention on hook_pattern. In every layer l from
 * {@code fromLayer} on (the last layer skipped by default), with S_l the sink tokens (text and image) whose φ_l &gt; τ
 * in the sink dimensions of {@link VisualSinks}, recomputed from the hidden state that enters layer l in this run, and
 * I the image positions: a (head, query i) after the image is image-centric when the image holds at least
 * {@code minImageAttention} of its attention, {@code Σ_{j∈I} A_ij ≥ summ}, and the visual sinks hold at most ρ of that,
 * {@code Σ_{j∈I∩S} A_ij / Σ_{j∈I} A_ij ≤ ρ}. There, every sink keeps {@code A'_ij = p·A_ij} and the freed
 * {@code (1−p)Σ_{j∈S} A_ij} goes to the image's non-sink tokens in proportion to their attention. Layers without a
 * visual sink are left alone. Two forwards: the clean one and the redistributed one.
 */
public final class VisualAttentionRedistribution {

    /**
     * @param p                 share of the sinks' attention they keep (the paper's p = 0.6)
     * @param rho               ρ = 0.5
     * @param minImageAttention summ = 0.2
     * @param fromLayer         first layer redistributed (2: the paper leaves the first two alone)
     * @param skipLastLayer     leave the last layer alone (the paper's default)
     */
    public record Options(double p, double rho, double minImageAttention, int fromLayer, boolean skipLastLayer) {
        public static Options defaults() {
            return new Options(0.6, 0.5, 0.2, VisualSinks.DEFAULT_FROM_LAYER, true);
        }

        public Options withFromLayer(int value) {
            return new Options(p, rho, minImageAttention, value, skipLastLayer);
        }

        public Options withSkipLastLayer(boolean value) {
            return new Options(p, rho, minImageAttention, fromLayer, value);
        }
    }

    /**
     * @param shift      the output distribution at the read row, clean and redistributed
     * @param clean      the target's prediction without VAR
     * @param shifted    with VAR
     * @param redirected [layer][head] how many query rows were redistributed
     */
    public record Result(OutputShift shift, Prediction clean, Prediction shifted, int[][] redirected) {
    }

    private VisualAttentionRedistribution() {
    }

    /**
     * @param sinks    the sink dimensions and τ (from {@link VisualSinks#find})
     * @param target   token whose logit is reported; −1 = the clean top token
     * @param position output row read; null = the last
     */
    public static Result apply(JoinedSequence sequence, VisualSinks sinks, Options options, int target, Integer position) {
        if (!(options.p() >= 0 && options.p() <= 1)) {
            throw new HeadwiseException("VAR: p must be in [0, 1], is " + options.p());
        }
        Prediction.requireLogits(sequence.decoder(), "VAR");
        int row = Prediction.row(position, sequence.length(), "VAR");
        var spec = sequence.decoder().spec();
        int[][] redirected = new int[spec.layers()][spec.heads()];
        INDArray clean = sequence.run(Hooks.none()).output();
        INDArray shifted = sequence.run(hooks(spec.layers(), spec.dModel(), sequence.classes(), sinks, options, redirected)).output();
        Prediction before = Prediction.read(clean, 0, row, target);
        return new Result(OutputShift.between(row, Prediction.logits(clean, 0, row), Prediction.logits(shifted, 0, row)),
                before, Prediction.read(shifted, 0, row, before.target()), redirected);
    }

    /** The hooks: each layer's resid_pre finds its sinks, its pattern is redistributed; counts go to {@code redirected}. */
    static Hooks hooks(int layers, int width, TokenClasses classes, VisualSinks sinks, Options options, int[][] redirected) {
        Hooks hooks = Hooks.none();
        int last = options.skipLastLayer() ? layers - 1 : layers;
        for (int layer = Math.max(0, options.fromLayer()); layer < last; layer++) {
            int[][] current = new int[1][];
            hooks.intervene(HookNames.residPre(layer), x -> {
                float[] v = Ops.floats(x);
                double[] phi = new double[classes.length()];
                for (int t = 0; t < phi.length; t++) {
                    phi[t] = VisualSinks.phi(v, t * width, width, sinks.dimensions());
                }
                current[0] = VisualSinks.sinksAt(phi, sinks.options().tau(), classes, false);
                return x;
            });
            int[] counts = redirected[layer];
            hooks.intervene(HookNames.pattern(layer), pattern -> redistribution(current[0], classes, options, counts).apply(pattern));
        }
        return hooks;
    }

    /**
     * The hook_pattern function for one layer with sink tokens {@code sinks} (sequence positions); pattern is
     * [1, head, query, key]; the argument is not modified. Adds the redistributed rows per head to {@code counts}.
     */
    public static UnaryOperator<INDArray> redistribution(int[] sinks, TokenClasses classes, Options options, int[] counts) {
        return pattern -> {
            int start = classes.imageFirst(); // every image token, the tower's CLS off the grid included
            int end = classes.imageEnd();
            int keys = (int) pattern.size(3);
            boolean[] sink = new boolean[keys];
            boolean visualSink = false;
            for (int j : sinks) {
                sink[j] = true;
                visualSink |= j >= start && j < end;
            }
            if (!visualSink) {
                return pattern;
            }
            int heads = (int) pattern.size(1);
            int queries = (int) pattern.size(2);
            if (pattern.size(0) != 1 || queries != keys) {
                throw new HeadwiseException("VAR needs one sequence's whole pattern [1, H, T, T], not "
                        + java.util.Arrays.toString(pattern.shape()) + " (a batch, or decoding with a KV cache)");
            }
            float[] a = Ops.floats(pattern);
            for (int h = 0; h < heads; h++) {
                for (int i = end; i < queries; i++) {
                    int row = (h * queries + i) * keys;
                    double image = 0;
                    double imageSinks = 0;
                    double allSinks = 0;
                    for (int j = 0; j <= i; j++) {
                        double v = a[row + j];
                        boolean inImage = j >= start && j < end;
                        image += inImage ? v : 0;
                        imageSinks += inImage && sink[j] ? v : 0;
                        allSinks += sink[j] ? v : 0;
                    }
                    double receivers = image - imageSinks;
                    if (image < options.minImageAttention() || imageSinks > options.rho() * image || receivers <= 0) {
                        continue;
                    }
                    double gain = (1 - options.p()) * allSinks / receivers;
                    for (int j = 0; j <= i; j++) {
                        if (sink[j]) {
                            a[row + j] = (float) (a[row + j] * options.p());
                        } else if (j >= start && j < end) {
                            a[row + j] = (float) (a[row + j] * (1 + gain));
                        }
                    }
                    if (h < counts.length) {
                        counts[h]++;
                    }
                }
            }
            return Ops.fromFloats(a, pattern.shape());
        };
    }
}
