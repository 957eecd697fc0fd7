package headwise.engine.analysis.intervene;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ZeroTuning and ACT calibration against the independent float64 PyTorch reference (intervene_reference.py). */
class InterventionReferenceTest {

    @Test
    void matchesPyTorchReference() throws IOException {
        JsonObject reference = JsonParser.parseString(Files.readString(
                Fixtures.model("gpt2_f32").resolve("reference").resolve("intervene.json"))).getAsJsonObject();
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            int cases = 0;
            for (JsonElement e : reference.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                HeadSelection heads = heads(model, c.get("heads"));
                OutputShift shift;
                if (c.get("kind").getAsString().equals("zerotuning")) {
                    shift = ZeroTuning.apply(model, input, c.get("gamma").getAsDouble(), heads, null);
                } else {
                    SinkCalibration.Options o = new SinkCalibration.Options(c.get("beta").getAsDouble(),
                            c.get("alpha").getAsDouble(), c.get("include_first").getAsBoolean());
                    SinkCalibration.Result r = SinkCalibration.apply(model, input, heads, o, null);
                    for (JsonElement s : c.getAsJsonArray("sinks")) {
                        JsonArray lhk = s.getAsJsonArray();
                        int[] expected = ints(lhk.get(2).getAsJsonArray());
                        assertArrayEquals(expected, r.sinks()[lhk.get(0).getAsInt()][lhk.get(1).getAsInt()], "sinks of " + lhk.get(0) + "." + lhk.get(1));
                    }
                    shift = r.shift();
                }
                assertEquals(c.get("position").getAsInt(), shift.position());
                double worst = Math.max(maxAbs(doubles(c.getAsJsonArray("original")), shift.original()),
                        maxAbs(doubles(c.getAsJsonArray("shifted")), shift.shifted()));
                worst = Math.max(worst, Math.abs(c.get("kl").getAsDouble() - shift.kl()));
                System.out.printf("%s %s: KL %.4e (reference %.4e), max|err| %.2e%n", c.get("kind").getAsString(),
                        c.has("gamma") ? c.get("gamma") : c.get("beta"), shift.kl(), c.get("kl").getAsDouble(), worst);
                assertTrue(worst <= 1e-5, c + " error " + worst);
                assertTrue(shift.kl() > 1e-6, "the intervention has an effect");
                cases++;
            }
            assertEquals(5, cases);
        }
    }

    /** γ = 1 is the identity (Z = 1): the same distribution, KL exactly 0; so is β = 1 for the calibration. */
    @Test
    void identityParametersChangeNothing() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            HeadSelection all = HeadSelection.all(model.spec());
            OutputShift same = ZeroTuning.apply(model, input, 1.0, all, null);
            assertEquals(0.0, same.kl());
            assertArrayEquals(same.original(), same.shifted());
            assertEquals(same.originalTop(), same.shiftedTop());
            SinkCalibration.Result calibrated = SinkCalibration.apply(model, input, all,
                    new SinkCalibration.Options(1.0, 0.1, false), null);
            assertTrue(calibrated.shift().kl() < 1e-12, "beta 1 moves nothing: " + calibrated.shift().kl());
            assertTrue(Arrays.stream(calibrated.sinks()).flatMap(Arrays::stream).mapToInt(k -> k.length).sum() > 0);
        }
    }

    @Test
    void badParametersAreOneLineErrors() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            HeadSelection all = HeadSelection.all(model.spec());
            assertThrows(HeadwiseException.class, () -> ZeroTuning.apply(model, input, -1, all, null));
            assertThrows(HeadwiseException.class, () -> ZeroTuning.apply(model, input, 2, all, 99));
            assertThrows(HeadwiseException.class, () -> HeadSelection.parse(model.spec(), "1.9", "--heads"));
            assertThrows(HeadwiseException.class, () -> HeadSelection.parse(model.spec(), "1-2", "--heads"));
            assertEquals(2, HeadSelection.parse(model.spec(), " 0.1, 2.3 ", "--heads").count());
        }
        try (LoadedModel encoder = ModelLoader.load(Fixtures.model("bert_f32").toString())) {
            ModelInput input = ModelInput.fromIds(encoder, Fixtures.inputIds("bert_f32"));
            HeadwiseException e = assertThrows(HeadwiseException.class,
                    () -> ZeroTuning.apply(encoder, input, 2, HeadSelection.all(encoder.spec()), null));
            assertTrue(e.getMessage().contains("hidden states"), e.getMessage());
        }
    }

    private static HeadSelection heads(LoadedModel model, JsonElement heads) {
        if (heads.isJsonPrimitive()) {
            return HeadSelection.all(model.spec());
        }
        List<int[]> pairs = new ArrayList<>();
        for (JsonElement p : heads.getAsJsonArray()) {
            pairs.add(ints(p.getAsJsonArray()));
        }
        return HeadSelection.of(model.spec(), pairs);
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    private static double maxAbs(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
