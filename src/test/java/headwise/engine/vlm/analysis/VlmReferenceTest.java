package headwise.engine.vlm.analysis;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The analyses on the tiny Llama fixture against src/test/python/vlm_reference.py's float64 NumPy computation
 * (llama_f32/reference/vlm.json): a 50-position joined sequence (BOS, 3 text, a 6×6 image, 6 text, 4 generated) of
 * unit-normal embeddings, BOS and patch (4, 1) made massive in channel 7.
 */
class VlmReferenceTest {

    private static LoadedModel model;
    private static JsonObject ref;
    private static JoinedSequence sequence;

    @BeforeAll
    static void load() throws Exception {
        model = ModelLoader.load(Fixtures.model("llama_f32").toString());
        ref = JsonParser.parseString(Files.readString(Fixtures.model("llama_f32").resolve("reference").resolve("vlm.json")))
                .getAsJsonObject();
        JsonArray rows = ref.getAsJsonArray("embedded");
        double[] values = Fixtures.numbers(rows);
        float[] x = new float[values.length];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) values[n];
        }
        JsonArray names = ref.getAsJsonArray("classes");
        TokenClass[] classes = new TokenClass[names.size()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = TokenClass.valueOf(names.get(i).getAsString());
        }
        sequence = new JoinedSequence(model.transformer(), Ops.fromFloats(x, 1, classes.length, x.length / classes.length),
                new TokenClasses(classes, ref.get("image_start").getAsInt(), ref.get("rows").getAsInt(), ref.get("cols").getAsInt()));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static double[] reference(String... path) {
        var e = ref.get(path[0]);
        for (int n = 1; n < path.length; n++) {
            e = e.getAsJsonObject().get(path[n]);
        }
        return Fixtures.numbers(e);
    }

    private static double[] flat(double[][] m) {
        return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static double[] flat(double[][][] m) {
        return java.util.Arrays.stream(m).flatMap(java.util.Arrays::stream).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void classSharesMatch() {
        ClassShares shares = ClassShares.compute(sequence, ClassShares.Rows.GENERATED);
        assertArrayEquals(reference("shares"), flat(shares.shares()), 1e-5);
    }

    @Test
    void sinkDimensionsAndValuesMatch() {
        VisualSinks sinks = VisualSinks.find(sequence, VisualSinks.Options.defaults().withTau(ref.get("tau").getAsDouble()));
        assertArrayEquals(new int[] {7}, sinks.dimensions());
        assertArrayEquals(reference("dimensions"), java.util.Arrays.stream(sinks.dimensions()).asDoubleStream().toArray(), 0);
        assertArrayEquals(reference("phi"), flat(sinks.phi()), 1e-4);
        assertEquals(1, sinks.sinks().size());
        assertEquals(4, sinks.sinks().get(0).row());
        assertEquals(1, sinks.sinks().get(0).col());
    }

    @Test
    void headDivergenceMatches() {
        HeadDivergence vhd = HeadDivergence.compute(sequence, null, 3);
        assertArrayEquals(reference("answers"), java.util.Arrays.stream(vhd.answers()).asDoubleStream().toArray(), 0);
        assertArrayEquals(reference("vhd"), flat(vhd.perAnswer()), 1e-5);
    }

    @Test
    void flowCutScoresAndPruningMatch() {
        ImageTokenFlow flow = ImageTokenFlow.compute(sequence, null);
        assertEquals(ref.getAsJsonObject("flow").get("query").getAsInt(), flow.query());
        assertArrayEquals(reference("flow", "scores"), flat(flow.scores()), 1e-5);
        assertArrayEquals(reference("flow", "cumulative"), flow.cumulative(), 1e-5);
        assertArrayEquals(reference("flow", "attention"), flat(flow.attention()), 1e-6);

        // the reference's own scores give the order, so float32 near-ties cannot reorder the pruning
        double[] cumulative = reference("flow", "cumulative");
        double[][] attention = new double[3][];
        for (int l = 0; l < 3; l++) {
            attention[l] = java.util.Arrays.copyOfRange(reference("flow", "attention"), l * 36, (l + 1) * 36);
        }
        ImageTokenPruning p = ImageTokenPruning.compute(sequence, cumulative, attention[1], reference("pruning", "fractions"), -1);
        double[] clean = reference("pruning", "clean");
        assertEquals((int) clean[0], p.clean().target());
        assertEquals(clean[1], p.clean().logit(), 1e-5);
        double[] byFlow = reference("pruning", "flow");
        double[] byAttention = reference("pruning", "attention");
        for (int f = 0; f < p.fractions().length; f++) {
            assertEquals(byFlow[3 * f], p.byFlow()[f].logit(), 1e-5, "FlowCut order, fraction " + p.fractions()[f]);
            assertEquals(byFlow[3 * f + 1], p.byFlow()[f].probability(), 1e-6);
            assertEquals((int) byFlow[3 * f + 2], p.byFlow()[f].top());
            assertEquals(byAttention[3 * f], p.byAttention()[f].logit(), 1e-5, "attention order, fraction " + p.fractions()[f]);
            assertEquals((int) byAttention[3 * f + 2], p.byAttention()[f].top());
        }
    }

    @Test
    void varMatches() {
        VisualSinks sinks = VisualSinks.find(sequence, VisualSinks.Options.defaults().withTau(ref.get("tau").getAsDouble()));
        var result = VisualAttentionRedistribution.apply(sequence, sinks,
                VisualAttentionRedistribution.Options.defaults().withFromLayer(0), -1, null);
        assertArrayEquals(reference("var", "redirected"), flat(java.util.Arrays.stream(result.redirected())
                .map(row -> java.util.Arrays.stream(row).asDoubleStream().toArray()).toArray(double[][]::new)), 0);
        assertArrayEquals(reference("var", "probabilities"), result.shift().shifted(), 1e-6);
    }
}
