package headwise.engine.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * The plain-Java kernels against double-precision loops, on arrays large enough to be split over threads, and the
 * arrays they must refuse (views into larger buffers, other types), which take ND4J's path instead.
 */
class FloatRowsTest {

    private static INDArray random(long seed, long... shape) {
        Random random = new Random(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * 3);
        }
        return Nd4j.create(values, shape, 'c');
    }

    /** Tiles of 64 with ragged edges on both sides: every element lands where ND4J's own transpose puts it. */
    @Test
    void transposedWeightsEqualNd4jsTranspose() {
        Random random = new Random(5);
        for (int[] shape : new int[][] {{1, 1}, {3, 130}, {129, 65}, {200, 7}}) {
            float[] values = new float[shape[0] * shape[1]];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextFloat() - 0.5f;
            }
            INDArray expected = Nd4j.create(values, new long[] {shape[0], shape[1]}, 'c').transpose().dup('c');
            INDArray actual = Ops.transposedFromFloats(values, shape[0], shape[1]);
            assertArrayEquals(expected.shape(), actual.shape());
            assertArrayEquals(expected.data().asFloat(), actual.data().asFloat(), 0f);
        }
    }

    @Test
    void onlyDenseFloatArraysQualify() {
        INDArray x = random(1, 8, 6);
        assertTrue(FloatRows.dense(x));
        assertTrue(FloatRows.dense(x.reshape(6, 8)), "a reshape of a whole array is the same run of floats");
        INDArray rows = x.get(interval(2, 4), all());
        assertTrue(FloatRows.dense(rows), "a block of whole rows is its own run of floats");
        assertArrayEquals(rows.dup().data().asFloat(), FloatRows.read(rows));
        assertFalse(FloatRows.dense(x.get(all(), interval(1, 3))), "columns 1..2 of every row");
        assertFalse(FloatRows.dense(x.transpose()));
        assertFalse(FloatRows.dense(x.castTo(DataType.DOUBLE)));
    }

    @Test
    void geluOverManyElementsMatchesDoubleLoops() {
        INDArray x = random(2, 300, 257); // 77k elements: split over threads
        float[] in = x.data().asFloat();
        float[] tanh = Ops.geluTanh(x).data().asFloat();
        float[] erf = Ops.geluErf(x).data().asFloat();
        for (int i = 0; i < in.length; i++) {
            double v = in[i];
            double expectedTanh = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            assertEquals(expectedTanh, tanh[i], 2e-6 * Math.max(1, Math.abs(v)));
            assertEquals(0.5 * v * (1 + OpsTest.erf(v / Math.sqrt(2))), erf[i], 2e-6 * Math.max(1, Math.abs(v)));
            float withMathExp = (float) (v / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
            assertEquals(withMathExp, tanh[i], Math.ulp(withMathExp), "the double exp rounds as Math.exp does");
        }
        float[] extremes = {-1e30f, -100, -20, -15.5f, -15, -14.9f, -9, -1e-20f, 0, 3e-20f, 9, 14.9f, 15, 15.5f, 20, 100, 1e30f};
        float[] tails = Ops.geluTanh(Nd4j.create(extremes, new long[] {1, extremes.length}, DataType.FLOAT)).data().asFloat();
        for (int i = 0; i < extremes.length; i++) {
            double v = extremes[i];
            float withMathExp = (float) (v / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
            assertEquals(withMathExp, tails[i], "at " + v);
        }
        assertTrue(Float.isNaN(Ops.geluTanh(Nd4j.create(new float[] {Float.NaN}, new long[] {1, 1}, DataType.FLOAT)).getFloat(0)));
        float[] erfTails = Ops.geluErf(Nd4j.create(extremes, new long[] {1, extremes.length}, DataType.FLOAT)).data().asFloat();
        for (int i = 0; i < extremes.length; i++) {
            double v = extremes[i];
            float withMathExp = (float) (0.5 * v * FloatRows.erfc(-v / Math.sqrt(2)));
            assertEquals(withMathExp, erfTails[i], Math.ulp(withMathExp), "exact GELU at " + v);
        }
        assertTrue(Float.isNaN(Ops.geluErf(Nd4j.create(new float[] {Float.NaN}, new long[] {1, 1}, DataType.FLOAT)).getFloat(0)));
        assertArrayEquals(in, x.data().asFloat(), "input untouched");
    }

    @Test
    void fastExpIsWithinAUlpOrTwoOfMathExp() {
        double worst = 0;
        for (float x = -87f; x <= 88.5f; x += 0.000731f) {
            worst = Math.max(worst, Math.abs(FloatRows.exp(x) / Math.exp(x) - 1));
        }
        assertTrue(worst < 1.5e-7, "relative error " + worst);
        assertEquals(1f, FloatRows.exp(0f));
        assertTrue(FloatRows.exp(-1000f) < 2e-38 && FloatRows.exp(-1000f) >= 0, "underflow stays tiny and not negative");
        assertTrue(Float.isFinite(FloatRows.exp(1000f)) && FloatRows.exp(1000f) > 3e38, "overflow saturates");
    }

    @Test
    void doubleExpIsWithinAFewUlpsOfMathExp() {
        double[] y = new double[200_000];
        for (int i = 0; i < y.length; i++) {
            y[i] = -708 + 1416.0 * i / (y.length - 1) + 1e-7 * (i % 13);
        }
        double[] expected = y.clone();
        FloatRows.expInPlace(y, new double[y.length], y.length);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] / Math.exp(expected[i]) - 1));
        }
        assertTrue(worst < 1e-12, "relative error " + worst);
        double[] special = {0, Double.NaN, -1e-300};
        FloatRows.expInPlace(special, new double[3], 3);
        assertEquals(1.0, special[0]);
        assertTrue(Double.isNaN(special[1]));
        assertEquals(1.0, special[2]);
    }

    @Test
    void expOverARangeGivesTheScalarExpOfEachScaledValue() {
        float[] x = new float[2000];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 400); // past both clamps too
        }
        float[] out = new float[x.length];
        float[] bits = new float[x.length];
        FloatRows.exp(x, 0.125f, 2.5f, out, bits, 7, 1990);
        for (int i = 0; i < x.length; i++) {
            float expected = i >= 7 && i < 1990 ? FloatRows.exp(0.125f * (x[i] - 2.5f)) : 0f;
            assertEquals(expected, out[i], "at " + i); // bit for bit, and nothing written outside the range
        }
    }

    @Test
    void erfcHasSmallRelativeErrorInTheTails() {
        assertEquals(1.0, FloatRows.erfc(0), 1.2e-7);
        assertEquals(0.15729920705028513, FloatRows.erfc(1), 0.15729920705028513 * 1.2e-7);
        assertEquals(2.209049699858544e-5, FloatRows.erfc(3), 2.209049699858544e-5 * 1.2e-7);
        assertEquals(2 - 2.209049699858544e-5, FloatRows.erfc(-3), 1e-11);
    }

    @Test
    void normsOfManyRowsMatchDoubleLoops() {
        INDArray x = random(3, 97, 384);
        INDArray gain = random(4, 384);
        INDArray bias = random(5, 384);
        float[] in = x.data().asFloat();
        float[] g = gain.data().asFloat();
        float[] b = bias.data().asFloat();
        float[] layer = Ops.layerNorm(x, new ModelWeights.NormWeights(gain, bias), 1e-5).data().asFloat();
        float[] rms = Ops.rmsNorm(x, new ModelWeights.NormWeights(gain, null), 1e-6).data().asFloat();
        for (int r = 0; r < 97; r++) {
            double mean = 0;
            double squares = 0;
            for (int c = 0; c < 384; c++) {
                mean += in[r * 384 + c];
                squares += (double) in[r * 384 + c] * in[r * 384 + c];
            }
            mean /= 384;
            double variance = 0;
            for (int c = 0; c < 384; c++) {
                variance += Math.pow(in[r * 384 + c] - mean, 2);
            }
            variance /= 384;
            for (int c = 0; c < 384; c++) {
                double v = in[r * 384 + c];
                assertEquals((v - mean) / Math.sqrt(variance + 1e-5) * g[c] + b[c], layer[r * 384 + c], 1e-4);
                assertEquals(v / Math.sqrt(squares / 384 + 1e-6) * g[c], rms[r * 384 + c], 1e-4);
            }
        }
    }

    @Test
    void maskedSoftmaxIsSoftmaxOverTheVisibleKeys() {
        int batch = 2;
        int heads = 3;
        int queries = 5;
        int keys = 9;
        int offset = 4; // queries at positions 4..8 after 4 cached ones
        int window = 3;
        double scale = 0.125;
        INDArray scores = random(6, batch, heads, queries, keys);
        float[] raw = scores.data().asFloat();
        for (boolean causal : new boolean[] {false, true}) {
            for (int w : new int[] {0, window}) {
                for (double cap : new double[] {0, 0.1}) { // scaled scores reach ~0.4: a cap of 0.1 bends them all
                    INDArray copy = scores.dup();
                    FloatRows.softmaxInPlace(copy, scale, cap, causal, offset, w);
                    float[] pattern = copy.data().asFloat();
                    String label = "causal " + causal + " window " + w + " softcap " + cap;
                    for (int row = 0; row < batch * heads * queries; row++) {
                        int position = offset + row % queries;
                        double[] s = new double[keys];
                        boolean[] visible = new boolean[keys];
                        for (int j = 0; j < keys; j++) {
                            visible[j] = !causal || (j <= position && (w == 0 || position - j < w));
                            s[j] = cap > 0 ? cap * Math.tanh(scale * raw[row * keys + j] / cap) : scale * raw[row * keys + j];
                        }
                        double[] expected = visibleSoftmax(s, visible);
                        for (int j = 0; j < keys; j++) {
                            assertEquals(expected[j], pattern[row * keys + j], 1e-6, label);
                        }
                    }
                }
            }
        }
    }

    @Test
    void maskedSoftmaxHoldsForScoresFarApart() {
        // scaled scores spread over ±150: many terms fall below the exponential's clamp, none may overflow
        int keys = 40;
        INDArray scores = random(12, 1, 2, keys, keys).muli(1200);
        float[] raw = scores.data().asFloat();
        double scale = 0.125;
        INDArray copy = scores.dup();
        FloatRows.softmaxInPlace(copy, scale, 0, true, 0, 0);
        float[] pattern = copy.data().asFloat();
        for (int row = 0; row < 2 * keys; row++) {
            int position = row % keys;
            double[] s = new double[keys];
            boolean[] visible = new boolean[keys];
            for (int j = 0; j < keys; j++) {
                s[j] = scale * raw[row * keys + j];
                visible[j] = j <= position;
            }
            double[] expected = visibleSoftmax(s, visible);
            for (int j = 0; j < keys; j++) {
                assertEquals(expected[j], pattern[row * keys + j], 1e-6 * Math.max(expected[j], 1e-30), "row " + row + " key " + j);
            }
        }
    }

    /** softmax(s) over the visible keys and 0 at the others, in double: what the float kernels are checked against. */
    static double[] visibleSoftmax(double[] s, boolean[] visible) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s.length; j++) {
            if (visible[j]) {
                max = Math.max(max, s[j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < s.length; j++) {
            sum += visible[j] ? Math.exp(s[j] - max) : 0;
        }
        double[] out = new double[s.length];
        for (int j = 0; j < s.length; j++) {
            out[j] = visible[j] ? Math.exp(s[j] - max) / sum : 0;
        }
        return out;
    }

    @Test
    void softcapAndGatedGeluTanhFollowTheirDefinitions() {
        INDArray x = random(10, 4, 50).muli(30);
        INDArray capped = x.dup();
        Ops.softcapInPlace(capped, 5.0);
        INDArray up = random(11, 4, 50);
        INDArray geglu = Ops.geluTanhTimes(x, up);
        for (int i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            assertEquals(5.0 * Math.tanh(v / 5.0), capped.getDouble(i), 1e-6);
            double gelu = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            assertEquals(gelu * up.getDouble(i), geglu.getDouble(i), 1e-4 * Math.max(1, Math.abs(gelu)));
        }
    }

    @Test
    void headsToPositionsIsThePermutedCopy() {
        INDArray perHead = random(7, 2, 4, 5, 3);
        assertEquals(perHead.permute(0, 2, 1, 3).dup('c'), FloatRows.headsToPositions(perHead));
    }

    @Test
    void sumAndGatedSiluMatchNd4j() {
        INDArray a = random(8, 64, 600);
        INDArray b = random(9, 64, 600);
        assertEquals(a.add(b), Ops.add(a, b));
        INDArray columns = a.get(all(), interval(1, 3));
        assertEquals(columns.add(b.get(all(), interval(1, 3))), Ops.add(columns, b.get(all(), interval(1, 3))), "views take ND4J's path");
        float[] gate = a.data().asFloat();
        float[] up = b.data().asFloat();
        float[] gated = Ops.siluTimes(a, b).data().asFloat();
        for (int i = 0; i < gate.length; i++) {
            double expected = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            assertEquals(expected, gated[i], 4 * Math.ulp((float) expected), "the float exp: within 4 ulp of Math.exp's value");
        }
    }

    @Test
    void biasIsAddedToEveryRow() {
        INDArray x = random(10, 40, 30);
        INDArray w = random(11, 30, 50);
        INDArray bias = random(12, 50);
        INDArray expected = x.mmul(w).addiRowVector(bias);
        INDArray actual = Ops.linear(x, new ModelWeights.Linear(w, bias));
        assertTrue(expected.equalsWithEps(actual, 1e-4));
    }
}
