package headwise.engine.analysis.probe;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.npy.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Standardisation, the logistic regression and the metrics against scikit-learn (src/test/python/probe_reference.py,
 * fixture probe_solver): same features, same split; weights and probabilities to 1e-6, metrics exactly.
 */
class SklearnReferenceTest {

    private static final Path FOLDER = Fixtures.model("probe_solver");

    @ParameterizedTest
    @ValueSource(strings = {"binary", "multinomial"})
    void matchesScikitLearn(String name) throws IOException {
        JsonObject ref = JsonParser.parseString(Files.readString(FOLDER.resolve("reference.json"))).getAsJsonObject().getAsJsonObject(name);
        float[][] features = rows(Npy.read(FOLDER.resolve("features.npy")));
        int[] labels = ints(ref.getAsJsonArray("labels"));
        int[] train = ints(ref.getAsJsonArray("train"));
        int[] test = ints(ref.getAsJsonArray("test"));
        int classes = ref.get("classes").getAsInt();

        Standardizer standardizer = Standardizer.fit(features, train);
        assertClose(doubles(ref.getAsJsonArray("mean")), standardizer.mean(), 1e-12, "mean");
        assertClose(doubles(ref.getAsJsonArray("scale")), standardizer.scale(), 1e-12, "scale");
        assertEquals(1.0, standardizer.scale()[3], "the constant feature is not scaled");

        LogisticRegression model = LogisticRegression.fit(standardizer.apply(features, train), pick(labels, train), classes, 1.0);
        JsonArray weights = ref.getAsJsonArray("weights");
        assertEquals(weights.size(), model.weights().length);
        for (int k = 0; k < weights.size(); k++) {
            assertClose(doubles(weights.get(k).getAsJsonArray()), model.weights()[k], 1e-6, "weights of vector " + k);
        }
        assertClose(doubles(ref.getAsJsonArray("intercepts")), model.intercepts(), 1e-6, "intercepts");

        double[][] x = standardizer.apply(features, test);
        JsonArray probabilities = ref.getAsJsonArray("test_probabilities");
        int[] predicted = new int[test.length];
        double[][] scores = new double[test.length][];
        for (int i = 0; i < test.length; i++) {
            assertClose(doubles(probabilities.get(i).getAsJsonArray()), model.probabilities(x[i]), 1e-6, "probabilities of test row " + i);
            predicted[i] = model.predict(x[i]);
            scores[i] = classes == 2 ? model.decision(x[i]) : model.probabilities(x[i]);
        }
        ProbeScore score = ProbeScore.of(pick(labels, test), predicted, scores, classes);
        assertEquals(ref.get("accuracy").getAsDouble(), score.accuracy(), 1e-15, "accuracy");
        assertEquals(ref.get("f1").getAsDouble(), score.f1(), 1e-15, "f1");
        assertEquals(ref.get("auc").getAsDouble(), score.auc(), 1e-15, "auc");
    }

    static float[][] rows(Npy.FloatArray array) {
        int n = (int) array.shape()[0];
        int d = (int) array.shape()[1];
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(array.values(), i * d, out[i], 0, d);
        }
        return out;
    }

    static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    static double[] doubles(JsonArray array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsDouble();
        }
        return out;
    }

    private static int[] pick(int[] values, int[] rows) {
        int[] out = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = values[rows[r]];
        }
        return out;
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }
}
