package headwise.engine.analysis.importance;

import headwise.engine.model.ModelSpec;

/**
 * RoPE inverse frequencies with rope_scaling, exactly as {@code headwise.engine.model.Rope} computes them (that
 * method is package-private there; this copy should go once it is public).
 */
final class RopeFrequencies {

    private RopeFrequencies() {
    }

    static double[] inverse(ModelSpec.Rope rope, int dHead) {
        int half = dHead / 2;
        double[] inverse = new double[half];
        for (int i = 0; i < half; i++) {
            inverse[i] = (float) (1.0 / Math.pow(rope.theta(), 2.0 * i / dHead));
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
            default -> throw new IllegalArgumentException("rope_scaling type " + scaling.type());
        }
        return inverse;
    }
}
