package headwise.engine.analysis;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Massive activations and sink dimensions on residual streams with planted values. */
class ResidualMetricsTest {

    /** [layers, tokens, width] uniform noise in (−1, 1), seeded. */
    static Residuals noise(int layers, int tokens, int width, long seed) {
        Random random = new Random(seed);
        float[] v = new float[layers * tokens * width];
        for (int n = 0; n < v.length; n++) {
            v[n] = (float) (2 * random.nextDouble() - 1);
        }
        return new Residuals(layers, tokens, width, v);
    }

    static void plant(Residuals r, int layer, int token, int channel, float value) {
        r.values()[(layer * r.tokens() + token) * r.width() + channel] = value;
    }

    @Test
    void findsAPlantedMassiveActivation() {
        Residuals r = noise(3, 8, 32, 1);
        plant(r, 1, 0, 7, -2000f);
        plant(r, 2, 3, 5, 150f); // over 100 but not 1000× the median (~0.5)
        MassiveActivations.Report report = MassiveActivations.find(r);
        assertEquals(1, report.massive().size());
        assertEquals(new MassiveActivations.Activation(1, 0, 7, -2000), report.massive().get(0));
        assertEquals(0.5, report.medianAbs()[1], 0.1);
        assertEquals(2000, report.topAbs()[1][0], 0);
        assertEquals(2000 / report.medianAbs()[1], report.topRatio()[1][0], 1e-9);
        assertEquals(150, report.topAbs()[2][0], 0);
        assertEquals(3, report.topAbs()[0].length);

        // both thresholds are parameters
        MassiveActivations.Report lower = MassiveActivations.find(r, 100, 100, 1);
        assertEquals(2, lower.massive().size());
        assertEquals(new MassiveActivations.Activation(2, 3, 5, 150), lower.massive().get(1));
    }

    @Test
    void medianIsOverTokensAndChannelsOfTheLayer() {
        float[] v = {1, -2, 3, 4, /* layer 1 */ 5, 6, -7, 1000};
        MassiveActivations.Report report = MassiveActivations.find(new Residuals(2, 2, 2, v), 10, 100, 2);
        assertArrayEquals(new double[] {2.5, 6.5}, report.medianAbs(), 0);
        assertArrayEquals(new double[] {4, 3}, report.topAbs()[0], 0);
        assertArrayEquals(new double[] {1000 / 6.5, 7 / 6.5}, report.topRatio()[1], 1e-12);
        assertEquals(1, report.massive().size(), "1000 > 10 and > 100 × 6.5");
    }

    @Test
    void sinkDimensionsRecurAcrossTokensAndLayers() {
        Residuals r = noise(3, 6, 1024, 2); // sqrt(1024) = 32 > τ = 20: reachable
        plant(r, 0, 0, 100, 800f); // channel 100 massive for token 0 in layers 0 and 2
        plant(r, 2, 0, 100, -900f);
        plant(r, 1, 4, 200, 900f); // channel 200 only once: not recurring
        SinkDimensions.Result result = SinkDimensions.find(r);
        assertArrayEquals(new int[] {100}, result.dimensions());
        assertArrayEquals(new int[] {2}, result.occurrences());
        assertTrue(result.sinkTokens()[0][0]);
        assertTrue(result.sinkTokens()[2][0]);
        assertFalse(result.sinkTokens()[1][0]);
        assertFalse(result.sinkTokens()[1][4], "channel 200 is not a sink dimension");
        // x̂ = x / sqrt(mean(x²) + 1e-6) by hand for layer 0, token 0
        double sq = 0;
        for (int c = 0; c < 1024; c++) {
            double x = r.get(0, 0, c);
            sq += x * x;
        }
        assertEquals(800 / Math.sqrt(sq / 1024 + 1e-6), result.maxNormalised()[0][0], 1e-6);
        assertTrue(result.maxNormalised()[1][4] > 20);

        SinkDimensions.Result once = SinkDimensions.find(r, 20, 1);
        assertArrayEquals(new int[] {100, 200}, once.dimensions());
        assertTrue(once.sinkTokens()[1][4]);
    }
}
