package headwise.engine.corpus;

import headwise.engine.run.AttentionMaps;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The head atlas's arithmetic on small cases worked out by hand. */
class AtlasMathTest {

    @Test
    void mdsRecoversPointsOfAPlaneUpToRotation() {
        double[][] points = {{0, 0}, {3, 0}, {0, 4}, {3, 4}, {1, 2}, {-2, 1}};
        int n = points.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]);
            }
        }
        double[][] xy = ClassicalMds.embed(d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(d[i][j], Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]), 1e-9);
            }
        }
        double[][] again = ClassicalMds.embed(d);
        for (int i = 0; i < n; i++) {
            assertEquals(xy[i][0], again[i][0], 0.0, "deterministic");
            assertEquals(xy[i][1], again[i][1], 0.0, "deterministic");
        }
    }

    @Test
    void jensenShannonOfTwoRowsByHand() {
        // one layer, two heads, two tokens: rows (1, 0) vs (0.5, 0.5) and (0.5, 0.5) vs (0.5, 0.5)
        float[] values = {1f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        double[][] d = HeadDistances.jensenShannon(new AttentionMaps(1, 2, 2, values), false);
        // JS((1,0), (½,½)) = ½·ln(1/0.75) + ½·(½ ln(0.5/0.75) + ½ ln(0.5/0.25))
        double row0 = 0.5 * Math.log(1 / 0.75) + 0.5 * (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(2));
        assertEquals(row0 / 2, d[0][1], 1e-12);
        assertEquals(d[0][1], d[1][0], 0.0);
        assertEquals(0, d[0][0], 0.0);
    }

    @Test
    void jensenShannonIsBoundedByLn2() {
        Random r = new Random(3);
        int t = 5;
        float[] values = new float[3 * t * t];
        for (int row = 0; row < 3 * t; row++) {
            values[row * t + r.nextInt(t)] = 1f; // one-hot rows: disjoint rows reach ln 2
        }
        double[][] d = HeadDistances.jensenShannon(new AttentionMaps(1, 3, t, values), false);
        for (double[] row : d) {
            for (double x : row) {
                assertTrue(x >= 0 && x <= Math.log(2) + 1e-12, "JS in [0, ln 2]: " + x);
            }
        }
    }

    @Test
    void fastLogAgreesWithMathLog() {
        Random r = new Random(7);
        double worst = 0;
        for (int k = 0; k < 1_000_000; k++) {
            double x = k % 2 == 0 ? r.nextDouble() : Math.exp(r.nextDouble() * 1400 - 700);
            double exact = Math.log(x);
            worst = Math.max(worst, Math.abs(FastLog.log(x) - exact) / Math.max(1, Math.abs(exact)));
        }
        assertTrue(worst < 1e-15, "worst relative error " + worst);
        assertEquals(Math.log(Double.MIN_VALUE), FastLog.log(Double.MIN_VALUE), 0.0, "subnormals go to Math.log");
        assertEquals(0.0, FastLog.log(1.0), 1e-16); // ln c + ln(1/c) rounds
    }

    @Test
    void percentilesInterpolateAsNumPy() {
        double[] v = {4, 1, 3, 2, Double.NaN};
        Distribution d = Distribution.of(v);
        assertEquals(2.5, d.mean(), 1e-15);
        assertEquals(Math.sqrt(1.25), d.std(), 1e-15); // population std
        assertEquals(1.3, d.p10(), 1e-12); // numpy.percentile([1,2,3,4], 10)
        assertEquals(2.5, d.p50(), 1e-12);
        assertEquals(3.7, d.p90(), 1e-12);
    }
}
