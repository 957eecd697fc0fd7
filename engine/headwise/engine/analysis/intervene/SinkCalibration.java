package headwise.engine.analysis.intervene;

import headwise.engine.HeadwiseException;
import headwise.engine.analysis.Sinks;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.AttentionCapture;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * ACT-style calibration of detected sinks (METHODS.md, Interventions on sinks; Yu et al. 2024): in each chosen head,
 * the sinks S are the keys whose sink score on the clean run exceeds α (j &gt; 0 by default: ACT's hidden sinks, the
 * first token left alone). Every query row then keeps {@code A'_ij = βA_ij} on S, and the freed mass
 * {@code (1−β)Σ_{j∈S}A_ij} goes to the other keys in proportion to their attention:
 * {@code A'_ij = A_ij (1 − βm_i)/(1 − m_i)} with {@code m_i = Σ_{j∈S}A_ij}. Rows with no mass outside S
 * (1 − m_i &lt; 1e-6) are left as they are. Two forwards (the clean one detects the sinks).
 */
public final class SinkCalibration {

    /** ACT's β. */
    public static final double DEFAULT_BETA = 0.4;
    /** Rows whose mass outside the sinks is below this are left as they are. */
    static final double NOWHERE = 1e-6;

    /**
     * @param beta              β in [0, 1]
     * @param alpha             sink score threshold α (0.1)
     * @param includeFirstToken also calibrate key 0 when it passes α
     */
    public record Options(double beta, double alpha, boolean includeFirstToken) {
        public static Options defaults() {
            return new Options(DEFAULT_BETA, Sinks.DEFAULT_ALPHA, false);
        }
    }

    /** The output shift and the sinks calibrated, [layer][head] → keys (empty for heads not chosen). */
    public record Result(OutputShift shift, int[][][] sinks) {
    }

    private SinkCalibration() {
    }

    public static Result apply(LoadedModel model, ModelInput input, HeadSelection heads, Options options, Integer position) {
        if (!(options.beta() >= 0 && options.beta() <= 1)) {
            throw new HeadwiseException("sink calibration: beta must be in [0, 1], is " + options.beta());
        }
        OutputRuns.requireDistribution(model.spec(), model, "sink calibration");
        var spec = model.spec();
        Hooks capture = Hooks.none();
        AttentionCapture attention = AttentionCapture.attach(capture, spec, input.length(),
                MemoryBudget.check(spec, input.length(), model.transformer().options()));
        INDArray clean = OutputRuns.run(model, input, capture);
        int[][][] sinks = detect(attention.maps(), spec.causal(), heads, options);
        INDArray calibrated = OutputRuns.run(model, input, hooks(sinks, options.beta()));
        int row = OutputRuns.row(clean, position, "sink calibration");
        return new Result(OutputShift.between(row, OutputRuns.logits(clean, row), OutputRuns.logits(calibrated, row)), sinks);
    }

    /** Per chosen head the keys with sink score &gt; α (key 0 only when asked), ascending. */
    public static int[][][] detect(AttentionMaps clean, boolean causal, HeadSelection heads, Options options) {
        double[][][] scores = Sinks.scores(clean, causal);
        int[][][] out = new int[clean.layers()][clean.heads()][0];
        int[][] perLayer = heads.headsPerLayer();
        for (int l = 0; l < perLayer.length; l++) {
            for (int h : perLayer[l]) {
                List<Integer> keys = new ArrayList<>();
                for (int j = options.includeFirstToken() ? 0 : 1; j < scores[l][h].length; j++) {
                    if (scores[l][h][j] > options.alpha()) {
                        keys.add(j);
                    }
                }
                out[l][h] = keys.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        return out;
    }

    /** hook_pattern interventions calibrating {@code sinks[layer][head]} with β. */
    public static Hooks hooks(int[][][] sinks, double beta) {
        Hooks hooks = Hooks.none();
        for (int l = 0; l < sinks.length; l++) {
            boolean any = false;
            for (int[] keys : sinks[l]) {
                any |= keys.length > 0;
            }
            if (any) {
                hooks.intervene(HookNames.pattern(l), calibration(sinks[l], beta));
            }
        }
        return hooks;
    }

    /** The hook_pattern function for one layer; pattern is [batch, head, query, key]; the argument is not modified. */
    public static UnaryOperator<INDArray> calibration(int[][] sinksPerHead, double beta) {
        return pattern -> {
            int batch = (int) pattern.size(0);
            int headCount = (int) pattern.size(1);
            int queries = (int) pattern.size(2);
            int keys = (int) pattern.size(3);
            float[] p = pattern.dup('c').data().asFloat();
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < headCount && h < sinksPerHead.length; h++) {
                    boolean[] sink = new boolean[keys];
                    for (int j : sinksPerHead[h]) {
                        if (j < keys) {
                            sink[j] = true;
                        }
                    }
                    for (int i = 0; i < queries; i++) {
                        int row = ((b * headCount + h) * queries + i) * keys;
                        double mass = 0;
                        double rest = 0;
                        for (int j = 0; j < keys; j++) {
                            if (sink[j]) {
                                mass += p[row + j];
                            } else {
                                rest += p[row + j];
                            }
                        }
                        if (mass <= 0 || rest < NOWHERE) {
                            continue; // nothing to move, or (almost) nowhere to move it
                        }
                        // the others gain (1−β)m in proportion: ×(rest + (1−β)m)/rest, which is (1 − βm)/(1 − m) for a
                        // row summing to 1; summing the rest directly stays accurate when it is tiny
                        double others = (rest + (1 - beta) * mass) / rest;
                        for (int j = 0; j < keys; j++) {
                            p[row + j] = (float) (p[row + j] * (sink[j] ? beta : others));
                        }
                    }
                }
            }
            return Nd4j.create(p, pattern.shape(), 'c');
        };
    }
}
