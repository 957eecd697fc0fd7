package headwise.engine.analysis.flow;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.app.io.ImageFiles;
import headwise.engine.Fixtures;
import headwise.engine.analysis.lens.LogitLens;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Value norms, contributions, the logit lens and FlowCut against the independent float64 NumPy reference of
 * src/test/python/flow_reference.py (reference/flow.json). The engine runs in float32; shares and probabilities
 * agree to 1e-5, norms and log-probabilities to 1e-5 relative to their size.
 */
class FlowReferenceTest {

    static final double TOLERANCE = 1e-5;

    static JsonObject reference(String fixture) {
        try {
            return JsonParser.parseString(Files.readString(Fixtures.model(fixture).resolve("reference").resolve("flow.json")))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ModelInput input(LoadedModel model, String fixture) {
        return fixture.startsWith("vit")
                ? ModelInput.fromImage(model, ImageFiles.read(Fixtures.model(fixture).resolve("reference/image.png")))
                : ModelInput.fromIds(model, Fixtures.inputIds(fixture));
    }

    static double[] flat(float[][] a) {
        List<Double> out = new ArrayList<>();
        for (float[] row : a) {
            for (float x : row) {
                out.add((double) x);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double[] flat(float[][][] a) {
        List<Double> out = new ArrayList<>();
        for (float[][] m : a) {
            for (double x : flat(m)) {
                out.add(x);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double[] flat(double[][] a) {
        return java.util.Arrays.stream(a).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    static double[] flat(double[][][] a) {
        return java.util.Arrays.stream(a).flatMapToDouble(m -> java.util.Arrays.stream(flat(m))).toArray();
    }

    /** max |a − b| / max(1, |b|): absolute for shares and probabilities, relative for larger norms. */
    static double error(double[] actual, double[] expected, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        double max = 0;
        for (int k = 0; k < actual.length; k++) {
            max = Math.max(max, Math.abs(actual[k] - expected[k]) / Math.max(1, Math.abs(expected[k])));
        }
        return max;
    }

    static void check(String fixture, String what, double[] actual, JsonElement expected) {
        double e = error(actual, Fixtures.numbers(expected), what);
        System.out.printf("flow %-10s %-28s max err vs numpy %.2e%n", fixture, what, e);
        assertTrue(e <= TOLERANCE, fixture + " " + what + " error " + e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "vit_f32"})
    void valueNormsAndContributions(String fixture) {
        JsonObject ref = reference(fixture);
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = input(model, fixture);
            ValueNorms norms = ValueNorms.compute(model, input);
            JsonObject vn = ref.getAsJsonObject("value_norms");
            check(fixture, "value_norms.per_head", flat(norms.perHead()), vn.get("per_head"));
            check(fixture, "value_norms.summed", flat(norms.summed()), vn.get("summed"));

            Contributions c = Contributions.compute(model, input, false);
            JsonObject rc = ref.getAsJsonObject("contributions");
            check(fixture, "contributions.attention", flat(c.attention()), rc.get("attention"));
            check(fixture, "contributions.residual", flat(c.residual()), rc.get("residual"));
            check(fixture, "contributions.mlp", flat(c.mlp()), rc.get("mlp"));
            check(fixture, "contributions.mlp_residual", flat(c.mlpResidual()), rc.get("mlp_residual"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void logitLens(String fixture) {
        JsonObject ref = reference(fixture).getAsJsonObject("logit_lens");
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = input(model, fixture);
            LogitLens lens = LogitLens.compute(model, input, 5);
            int rows = model.spec().layers() + 1;
            assertEquals(rows, lens.rows());
            check(fixture, "logit_lens.top_probs", flat(lens.topProbs()), ref.get("top_probs"));
            check(fixture, "logit_lens.final_top_prob", flat(lens.finalTopProb()), ref.get("final_top_prob"));
            check(fixture, "logit_lens.kl", flat(lens.kl()), ref.get("kl"));
            assertArrayEquals(ints(ref.get("final_top")), lens.finalTop(), "final top tokens");
            for (int l = 0; l < rows; l++) {
                assertArrayEquals(ints(ref.getAsJsonArray("final_top_rank").get(l)), lens.finalTopRank()[l], "rank, layer " + l);
                for (int t = 0; t < input.length(); t++) {
                    assertArrayEquals(ints(ref.getAsJsonArray("top_ids").get(l).getAsJsonArray().get(t)), lens.topIds()[l][t],
                            "top ids, layer " + l + ", position " + t);
                }
            }
            // the whole distributions, every layer (log-probabilities down to about −30)
            Streams r = Streams.capture(model, input);
            List<Double> logProbs = new ArrayList<>();
            for (int l = 0; l < rows; l++) {
                for (double[] row : LogitLens.logProbabilities(model.spec(), model.transformer().weights(), r.streams()[l], 0, input.length())) {
                    for (double x : row) {
                        logProbs.add(x);
                    }
                }
            }
            check(fixture, "logit_lens.log_probs", logProbs.stream().mapToDouble(Double::doubleValue).toArray(), ref.get("log_probs"));
        }
    }

    @Test
    void flowCutOnVit() {
        JsonObject ref = reference("vit_f32").getAsJsonObject("flowcut");
        try (LoadedModel model = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            FlowCut f = FlowCut.compute(model, input(model, "vit_f32"));
            assertEquals(ref.get("special_tokens").getAsInt(), f.specialTokens());
            assertEquals(16, f.patches());
            check("vit_f32", "flowcut.scores", flat(f.scores()), ref.get("scores"));
            check("vit_f32", "flowcut.cumulative", f.cumulative(), ref.get("cumulative"));
        }
    }

    private static int[] ints(JsonElement e) {
        return java.util.Arrays.stream(Fixtures.numbers(e)).mapToInt(x -> (int) x).toArray();
    }

    /** The embedding and every resid_post, through the same tap the lens uses. */
    record Streams(float[][] streams) {
        static Streams capture(LoadedModel model, ModelInput input) {
            float[][] streams = new float[model.spec().layers() + 1][];
            LayerTap.run(model, input, LogitLens.Collector.PARTS, List.of(a -> {
                if (a.layer() == 0) {
                    streams[0] = a.residPre();
                }
                streams[a.layer() + 1] = a.residPost();
            }));
            return new Streams(streams);
        }
    }
}
