package headwise.engine.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our numerics against obvious double-precision loops, including the cases ND4J's own ops get wrong. */
class OpsTest {

    private static final float[] VALUES = {-6f, -3f, -1.5f, -0.5f, -1e-3f, 0f, 1e-3f, 0.5f, 1.5f, 3f, 6f, 10f};

    @Test
    void geluErfIsExact() {
        INDArray x = Nd4j.create(VALUES, new long[] {1, VALUES.length}, 'c');
        INDArray y = Ops.geluErf(x);
        for (int i = 0; i < VALUES.length; i++) {
            double v = VALUES[i];
            assertEquals(0.5 * v * (1 + erf(v / Math.sqrt(2))), y.getDouble(0, i), 1e-6, "gelu(" + v + ")");
            assertEquals(v, x.getDouble(0, i), 0, "input untouched");
        }
    }

    @Test
    void geluTanhIsGpt2s() {
        INDArray x = Nd4j.create(VALUES, new long[] {1, VALUES.length}, 'c');
        INDArray y = Ops.geluTanh(x);
        for (int i = 0; i < VALUES.length; i++) {
            double v = VALUES[i];
            assertEquals(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), y.getDouble(0, i), 1e-6);
            assertEquals(v, x.getDouble(0, i), 0);
        }
    }

    @Test
    void layerNormUsesEpsilonOnConstantRows() {
        INDArray x = Nd4j.create(new float[] {3, 3, 3, 3, 1, 2, 3, 4}, new long[] {2, 4}, 'c');
        ModelWeights.NormWeights w = new ModelWeights.NormWeights(Nd4j.create(new float[] {1, 2, 3, 4}),
                Nd4j.create(new float[] {0.5f, 0.5f, 0.5f, 0.5f}));
        INDArray y = Ops.layerNorm(x, w, 1e-5);
        for (int c = 0; c < 4; c++) {
            assertEquals(0.5, y.getDouble(0, c), 1e-6, "a constant row normalises to the bias");
        }
        double mean = 2.5;
        double variance = 1.25;
        for (int c = 0; c < 4; c++) {
            assertEquals((c + 1 - mean) / Math.sqrt(variance + 1e-5) * (c + 1) + 0.5, y.getDouble(1, c), 1e-5);
        }
    }

    @Test
    void rmsNorm() {
        INDArray x = Nd4j.create(new float[] {1, -2, 3, 0}, new long[] {1, 4}, 'c');
        INDArray y = Ops.rmsNorm(x, new ModelWeights.NormWeights(Nd4j.ones(DataType.FLOAT, 4).muli(2), null), 1e-6);
        double rms = Math.sqrt((1 + 4 + 9) / 4.0 + 1e-6);
        assertEquals(2 * -2 / rms, y.getDouble(0, 1), 1e-6);
    }

    /** Abramowitz–Stegun 7.1.26 is too coarse; use the series/continued fraction via Math functions. */
    static double erf(double x) {
        // erf through the regularised incomplete gamma: erf(x) = sign(x)·P(1/2, x²), series for small x, CF for large
        double t = Math.abs(x);
        double sum;
        if (t < 3) {
            double term = t;
            sum = t;
            for (int n = 1; n < 200; n++) {
                term *= -t * t / n;
                sum += term / (2 * n + 1);
            }
            sum *= 2 / Math.sqrt(Math.PI);
        } else {
            sum = 1.0; // erfc(3) ≈ 2e-5; beyond float tolerance handled by the 1e-6 bound only for |x| ≥ 3·
            double erfc = Math.exp(-t * t) / (t * Math.sqrt(Math.PI)) * (1 - 1 / (2 * t * t) + 3 / (4 * Math.pow(t, 4)));
            sum -= erfc;
        }
        return Math.signum(x) * sum;
    }
}
