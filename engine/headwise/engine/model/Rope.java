package headwise.engine.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding on q or k [batch, pos, head, d_head] at positions offset…offset+pos−1.
 * Only the first r = {@link ModelSpec.Rope#rotated} channels of a head rotate (partial rotary: GPT-NeoX, Phi-3); the
 * rest pass through. Pair i (inverse frequency theta^(−2i/r), rescaled as rope_scaling says) is channels
 * (i, i + r/2) in the rotate-half layout (Hugging Face) and (2i, 2i+1) in the adjacent-pairs layout (llama2.c, GGUF).
 */
public final class Rope {

    private Rope() {
    }

    static INDArray apply(INDArray x, ModelSpec.Rope rope, int offset) {
        long batch = x.size(0);
        int length = (int) x.size(1);
        long heads = x.size(2);
        int dHead = (int) x.size(3);
        int half = rope.rotated(dHead) / 2;
        double[] inverseFrequency = inverseFrequencies(rope, dHead);
        float[] values = Ops.floats(x);
        double[] cos = new double[length * half];
        double[] sin = new double[length * half];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                // float32 angles, as Hugging Face and llama2.c compute them
                float angle = (float) (offset + p) * (float) inverseFrequency[i];
                cos[p * half + i] = Math.cos(angle);
                sin[p * half + i] = Math.sin(angle);
            }
        }
        boolean adjacent = rope.layout() == ModelSpec.RopeLayout.ADJACENT_PAIRS;
        for (long b = 0; b < batch; b++) {
            for (int p = 0; p < length; p++) {
                for (long h = 0; h < heads; h++) {
                    int base = (int) (((b * length + p) * heads + h) * dHead);
                    for (int i = 0; i < half; i++) {
                        int first = base + (adjacent ? 2 * i : i);
                        int second = base + (adjacent ? 2 * i + 1 : i + half);
                        double c = cos[p * half + i];
                        double s = sin[p * half + i];
                        double a = values[first];
                        double bValue = values[second];
                        values[first] = (float) (a * c - bValue * s);
                        values[second] = (float) (a * s + bValue * c);
                    }
                }
            }
        }
        return Nd4j.create(values, x.shape(), 'c');
    }

    /**
     * RoPE's inverse frequencies for a head of dHead channels, one per rotated pair (rotated(dHead)/2 of them), with
     * rope_scaling (linear, llama3, per-pair factors) applied.
     */
    public static double[] inverseFrequencies(ModelSpec.Rope rope, int dHead) {
        int rotated = rope.rotated(dHead);
        int half = rotated / 2;
        double[] inverse = new double[half];
        for (int i = 0; i < half; i++) {
            inverse[i] = (float) (1.0 / Math.pow(rope.theta(), 2.0 * i / rotated));
        }
        ModelSpec.RopeScaling scaling = rope.scaling();
        if (scaling == null) {
            return inverse;
        }
        switch (scaling.type()) {
            case "linear" -> {
                for (int i = 0; i < half; i++) {
                    inverse[i] /= scaling.factor();
                }
            }
            case "llama3" -> {
                double lowFrequencyWavelength = scaling.originalMaxPositions() / scaling.lowFreqFactor();
                double highFrequencyWavelength = scaling.originalMaxPositions() / scaling.highFreqFactor();
                for (int i = 0; i < half; i++) {
                    double wavelength = 2 * Math.PI / inverse[i];
                    if (wavelength > lowFrequencyWavelength) {
                        inverse[i] /= scaling.factor();
                    } else if (wavelength >= highFrequencyWavelength) {
                        double smooth = (scaling.originalMaxPositions() / wavelength - scaling.lowFreqFactor())
                                / (scaling.highFreqFactor() - scaling.lowFreqFactor());
                        inverse[i] = (1 - smooth) * inverse[i] / scaling.factor() + smooth * inverse[i];
                    }
                }
            }
            case "factors" -> {
                for (int i = 0; i < half; i++) {
                    inverse[i] /= scaling.frequencyFactors().get(i);
                }
            }
            default -> throw new IllegalArgumentException("rope_scaling type " + scaling.type());
        }
        return inverse;
    }
}
