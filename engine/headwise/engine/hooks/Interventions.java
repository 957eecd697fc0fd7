package headwise.engine.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.function.UnaryOperator;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/** The interventions the app offers, as hook functions. None modifies its argument. */
public final class Interventions {

    public enum Ablation { ZERO, MEAN }

    private Interventions() {
    }

    /**
     * Removes heads from layer {@code layer} at {@code hook_z}: zero their context vectors, or replace each by
     * its mean over positions (in this run).
     */
    public static Hooks ablateHeads(Hooks hooks, int layer, Ablation mode, int... heads) {
        return hooks.intervene(HookNames.z(layer), ablation(mode, heads));
    }

    /** The hook_z function for {@link #ablateHeads}; z is [batch, pos, head, d_head]. */
    public static UnaryOperator<INDArray> ablation(Ablation mode, int... heads) {
        return z -> {
            INDArray out = z.dup('c');
            for (int head : heads) {
                INDArray slice = out.get(all(), all(), point(head), all()); // [batch, pos, d_head]
                if (mode == Ablation.ZERO) {
                    slice.assign(0);
                } else {
                    INDArray mean = slice.mean(1); // [batch, d_head]
                    for (long b = 0; b < slice.size(0); b++) {
                        slice.get(point(b), all(), all()).assign(0).addiRowVector(mean.getRow(b));
                    }
                }
            }
            return out;
        };
    }

    /**
     * Multiplies the attention to {@code keys} by {@code gamma} in the chosen heads (all when {@code heads} is
     * empty) and renormalises every row to sum to 1 (ZeroTuning, ACT calibration and VAR are this).
     */
    public static Hooks reweightKeys(Hooks hooks, int layer, double gamma, int[] keys, int... heads) {
        return hooks.intervene(HookNames.pattern(layer), reweighting(gamma, keys, heads));
    }

    /** The hook_pattern function for {@link #reweightKeys}; pattern is [batch, head, query, key]. */
    public static UnaryOperator<INDArray> reweighting(double gamma, int[] keys, int... heads) {
        return pattern -> {
            if (gamma == 1) {
                return pattern; // the identity, exactly (the argument is not modified)
            }
            long batch = pattern.size(0);
            int headCount = (int) pattern.size(1);
            int queries = (int) pattern.size(2); // fewer than the keys when decoding with a KV cache
            int length = (int) pattern.size(3);
            float[] p = pattern.dup('c').data().asFloat();
            int[] chosen = heads.length == 0 ? java.util.stream.IntStream.range(0, headCount).toArray() : heads;
            boolean[] isChosen = new boolean[length];
            for (int j : keys) {
                if (j >= 0 && j < length) {
                    isChosen[j] = true;
                }
            }
            for (long b = 0; b < batch; b++) {
                for (int h : chosen) {
                    for (int i = 0; i < queries; i++) {
                        int row = (int) (((b * headCount + h) * queries + i) * length);
                        // Z = γ·Σ_{j∈S} A_ij + Σ_{j∉S} A_ij, which is 1 + (γ−1)·Σ_{j∈S} A_ij (METHODS.md) for a row summing
                        // to 1; summing the kept parts stays accurate when the rest of the row is tiny (γ → 0, A_i0 ≈ 1)
                        double chosenMass = 0;
                        double otherMass = 0;
                        for (int j = 0; j < length; j++) {
                            if (isChosen[j]) {
                                chosenMass += p[row + j];
                            } else {
                                otherMass += p[row + j];
                            }
                        }
                        double z = gamma * chosenMass + otherMass;
                        if (z <= 0) {
                            continue; // γ = 0 on keys holding all the mass: nothing left to renormalise
                        }
                        for (int j = 0; j < length; j++) {
                            p[row + j] = (float) (p[row + j] * (isChosen[j] ? gamma : 1.0) / z);
                        }
                    }
                }
            }
            return Nd4j.create(p, pattern.shape(), 'c');
        };
    }

    /** Replaces the value at {@code hookName} by the one another run captured there (same shape). */
    public static Hooks patch(Hooks hooks, String hookName, ActivationCache source) {
        INDArray replacement = source.get(hookName);
        return hooks.intervene(hookName, value -> {
            if (!java.util.Arrays.equals(value.shape(), replacement.shape())) {
                throw new IllegalArgumentException("cannot patch " + hookName + ": shapes " + java.util.Arrays.toString(value.shape())
                        + " and " + java.util.Arrays.toString(replacement.shape()) + " differ");
            }
            return replacement;
        });
    }
}
