package headwise.engine.analysis.probe;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attentive probe's forward, gradient and Adam training against finite differences and a float64 PyTorch
 * implementation of the same model and optimizer (fixtures/attentive_probe, attentive_probe_reference.py).
 */
class AttentiveProbeTest {

    @Test
    void gradientMatchesFiniteDifferences() {
        Random random = new Random(3);
        AttentiveProbe probe = new AttentiveProbe(7, 2, 3); // value width 3: 7 is not a multiple of 2
        double[][][] xs = new double[5][][];
        int[] labels = new int[xs.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = gaussian(random, 2 + i % 3, 7);
            labels[i] = i % 3;
        }
        double[] p = probe.initial(random);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.5 * random.nextGaussian(); // away from the near-uniform start, so the attention's gradient matters
        }
        double[] gradient = new double[p.length];
        double loss = probe.lossAndGradient(p, xs, labels, gradient);
        assertEquals(probe.loss(p, xs, labels), loss, 1e-14);
        double h = 1e-6;
        for (int i = 0; i < p.length; i++) {
            double[] plus = p.clone();
            double[] minus = p.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (probe.loss(plus, xs, labels) - probe.loss(minus, xs, labels)) / (2 * h);
            assertEquals(numeric, gradient[i], 1e-8 + 1e-6 * Math.abs(numeric), "parameter " + i);
        }
    }

    @Test
    void lossAndGradientEqualPyTorch() throws IOException {
        Problem problem = Problem.read();
        double[] gradient = new double[problem.initial.length];
        double loss = problem.probe.lossAndGradient(problem.initial, problem.fit, problem.fitLabels, gradient);
        JsonObject ref = problem.json.getAsJsonObject("gradient");
        assertEquals(ref.get("loss").getAsDouble(), loss, 1e-12);
        assertRelative(Fixtures.numbers(ref.get("gradient")), gradient, 1e-9, "gradient");
    }

    @Test
    void adamTrainingEqualsPyTorchStepByStep() throws IOException {
        Problem problem = Problem.read();
        JsonObject ref = problem.json.getAsJsonObject("training");
        double[] fitLoss = Fixtures.numbers(ref.get("fit_loss"));
        double[] heldLoss = Fixtures.numbers(ref.get("held_out_loss"));
        double[] p = problem.initial.clone();
        double[] gradient = new double[p.length];
        Adam adam = new Adam(p.length, ref.get("learning_rate").getAsDouble());
        for (int step = 0; step < ref.get("steps").getAsInt(); step++) {
            double loss = problem.probe.lossAndGradient(p, problem.fit, problem.fitLabels, gradient);
            adam.stepInPlace(p, gradient);
            assertEquals(fitLoss[step], loss, 1e-5 * Math.abs(fitLoss[step]), "fitting loss before step " + (step + 1));
            double held = problem.probe.loss(p, problem.heldOut, problem.heldOutLabels);
            assertEquals(heldLoss[step], held, 1e-5 * Math.abs(heldLoss[step]), "held-out loss after step " + (step + 1));
        }
        assertRelative(Fixtures.numbers(ref.get("final")), p, 1e-5, "parameters after training");
        assertTrue(fitLoss[fitLoss.length - 1] < 0.1 * fitLoss[0], "the reference run learns: " + fitLoss[fitLoss.length - 1]);
    }

    @Test
    void earlyStoppingKeepsTheLowestHeldOutLoss() throws IOException {
        Problem problem = Problem.read();
        JsonObject ref = problem.json.getAsJsonObject("training");
        double[] heldLoss = Fixtures.numbers(ref.get("held_out_loss"));
        int patience = 5;
        // PyTorch's held-out losses say where training must stop: the first best not beaten for `patience` steps
        int best = 0; // steps are 1-based; 0 = the start
        double bestLoss = problem.probe.loss(problem.initial, problem.heldOut, problem.heldOutLabels);
        int step = 0;
        while (step < heldLoss.length && step - best < patience) {
            step++;
            if (heldLoss[step - 1] < bestLoss) {
                bestLoss = heldLoss[step - 1];
                best = step;
            }
        }
        assertTrue(best > 0 && step < heldLoss.length, "the fixture stops early: best " + best + ", stop " + step);
        AttentiveTraining.Trained trained = AttentiveTraining.train(problem.probe, problem.initial, problem.fit, problem.fitLabels,
                problem.heldOut, problem.heldOutLabels,
                new AttentiveTraining.Settings(3, ref.get("learning_rate").getAsDouble(), heldLoss.length, patience, 0.2));
        assertEquals(best, trained.bestStep());
        assertEquals(step, trained.steps());
        assertEquals(bestLoss, problem.probe.loss(trained.parameters(), problem.heldOut, problem.heldOutLabels), 1e-5 * bestLoss,
                "the kept parameters are the best step's");
    }

    @Test
    void attentionRowsSumToOne() {
        Random random = new Random(4);
        AttentiveProbe probe = new AttentiveProbe(6, 8, 2); // more queries than width: value width 1
        double[] p = probe.initial(random);
        double[][] attention = probe.attention(p, gaussian(random, 5, 6));
        assertEquals(8, attention.length);
        for (double[] row : attention) {
            assertEquals(5, row.length);
            assertEquals(1.0, java.util.Arrays.stream(row).sum(), 1e-12);
        }
        assertEquals(8 * 6 + 6 * 8 + 2 * 8 + 2, probe.parameterCount());
    }

    @Test
    void roundingEqualsPyTorchF16AndBf16() throws IOException {
        JsonObject ref = Problem.reference().getAsJsonObject("rounding");
        double[] values = Fixtures.numbers(ref.get("values"));
        double[] f16 = Fixtures.numbers(ref.get("f16"));
        double[] bf16 = Fixtures.numbers(ref.get("bf16"));
        for (int i = 0; i < values.length; i++) {
            float v = (float) values[i];
            assertEquals((float) f16[i], LowPrecision.F16.round(v), 0f, "F16 of " + v);
            assertEquals((float) bf16[i], LowPrecision.BF16.round(v), 0f, "BF16 of " + v);
        }
    }

    private static void assertRelative(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = java.util.Arrays.stream(expected).map(Math::abs).max().orElse(1);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * scale, what + " [" + i + "]");
        }
    }

    private static double[][] gaussian(Random random, int rows, int columns) {
        double[][] x = new double[rows][columns];
        for (double[] row : x) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return x;
    }

    /** The reference's problem: the first examples fit, the rest are held out. */
    private record Problem(JsonObject json, AttentiveProbe probe, double[] initial, double[][][] fit, int[] fitLabels,
                           double[][][] heldOut, int[] heldOutLabels) {

        static JsonObject reference() throws IOException {
            return JsonParser.parseString(Files.readString(Fixtures.ROOT.resolve("attentive_probe").resolve("reference.json")))
                    .getAsJsonObject();
        }

        static Problem read() throws IOException {
            JsonObject json = reference();
            JsonObject p = json.getAsJsonObject("problem");
            int width = p.get("width").getAsInt();
            AttentiveProbe probe = new AttentiveProbe(width, p.get("queries").getAsInt(), p.get("classes").getAsInt());
            JsonArray xs = p.getAsJsonArray("x");
            int[] labels = p.getAsJsonArray("labels").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
            int fit = p.get("fit").getAsInt();
            double[][][] all = new double[xs.size()][][];
            for (int i = 0; i < all.length; i++) {
                JsonArray rows = xs.get(i).getAsJsonArray();
                all[i] = new double[rows.size()][];
                for (int t = 0; t < rows.size(); t++) {
                    all[i][t] = Fixtures.numbers(rows.get(t));
                }
            }
            return new Problem(json, probe, Fixtures.numbers(p.get("initial")),
                    java.util.Arrays.copyOfRange(all, 0, fit), java.util.Arrays.copyOfRange(labels, 0, fit),
                    java.util.Arrays.copyOfRange(all, fit, all.length), java.util.Arrays.copyOfRange(labels, fit, labels.length));
        }
    }
}
