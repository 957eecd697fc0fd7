package headwise.engine.analysis.relevance;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import headwise.engine.Fixtures;
import headwise.app.io.ImageFiles;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relevance method against src/test/python/relevance_reference.py (float64 PyTorch, autograd with the
 * rules' detaches) on the F32 fixtures, and against llava_relevance_reference.py on two tiny LLaVAs' joined
 * sequences (CLIP tower + Llama, SigLIP tower + Qwen2 with q/k/v biases): tokens, position and token-type shares and per-head relevance within 1e-5
 * of the reference's largest magnitude.
 */
class RelevanceReferenceTest {

    static final double RELATIVE = 1e-5;

    static ModelInput input(LoadedModel model, String fixture) {
        if (fixture.startsWith("llava")) { // the decoder's joined sequence: text with the projected image
            return Fixtures.joinedInput(model, fixture);
        }
        return fixture.startsWith("vit")
                ? ModelInput.fromImage(model, ImageFiles.read(Fixtures.model(fixture).resolve("reference/image.png")))
                : ModelInput.fromIds(model, Fixtures.inputIds(fixture));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "bert_f32", "llama_f32", "vit_f32", "pythia_f32", "gemma2_f32",
            "llava_clip_f32", "llava_siglip_f32"})
    void everyMethodMatchesTheReference(String fixture) throws IOException {
        JsonArray targets = JsonParser.parseString(Files.readString(
                Fixtures.model(fixture).resolve("reference/relevance.json"))).getAsJsonObject().getAsJsonArray("targets");
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelInput input = input(model, fixture);
            boolean first = true;
            for (JsonElement t : targets) {
                JsonObject target = t.getAsJsonObject();
                int position = target.get("position").getAsInt();
                int id = target.get("id").getAsInt();
                // the first target is the default one: resolve it without asking
                Relevance.Prepared prepared = first ? Relevance.prepare(model, input, null, null)
                        : Relevance.prepare(model, input, position, id);
                first = false;
                assertEquals(new RelevanceTarget(position, id), prepared.target(), fixture);
                for (RelevanceMap map : Relevance.computeAll(model, prepared)) {
                    String what = fixture + " " + map.method() + " (" + position + ", " + id + ")";
                    assertEquals(target.get("logit").getAsDouble(), map.logit(), 1e-5 * Math.max(1, Math.abs(map.logit())), what);
                    JsonObject ref = target.getAsJsonObject("methods").getAsJsonObject(map.method());
                    double[] expected = Fixtures.numbers(ref.get("tokens"));
                    double scale = maxAbs(expected);
                    double worst = maxDiff(expected, map.tokens());
                    worst = Math.max(worst, Math.abs(ref.get("position_share").getAsDouble() - map.positionShare()));
                    worst = Math.max(worst, Math.abs(ref.get("type_share").getAsDouble() - map.typeShare()));
                    if (ref.has("heads")) {
                        double[] heads = Fixtures.numbers(ref.get("heads"));
                        worst = Math.max(worst, maxDiff(heads, flat(map.heads())));
                    }
                    System.out.printf("%s: max |diff| %.2e (scale %.3f, relative %.2e)%n", what, worst, scale, worst / scale);
                    assertTrue(worst <= RELATIVE * scale, what + ": max |diff| " + worst + " vs scale " + scale);
                    assertTrue(map.finite(), what);
                }
            }
        }
    }

    static double[] flat(double[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double maxDiff(double[] a, double[] b) {
        assertEquals(a.length, b.length, "lengths");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
