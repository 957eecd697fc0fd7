package headwise.engine;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.app.io.ImageFiles;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.npy.Npy;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.VisionLanguageAnalyzer;
import headwise.engine.vlm.VisionLanguageInput;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PyTorch-reference fixtures written by src/test/python/make_fixtures.py. */
public final class Fixtures {

    public static final Path ROOT = Path.of("src", "test", "resources", "fixtures");

    private Fixtures() {
    }

    public static Path model(String name) {
        return ROOT.resolve(name);
    }

    /** A vision-language fixture's reference input: its ids with its reference/image.png. */
    public static VisionLanguageInput visionLanguageInput(LoadedModel model, String fixture) {
        return VisionLanguageInput.fromIds(model, inputIds(fixture), ImageFiles.read(model(fixture).resolve("reference/image.png")));
    }

    /** The decoder's joined sequence of that input (text with the projected image), what the analyses run on. */
    public static ModelInput joinedInput(LoadedModel model, String fixture) {
        return VisionLanguageAnalyzer.joinedInput(model, visionLanguageInput(model, fixture));
    }

    public static Npy.FloatArray reference(String name, String file) {
        return Npy.read(ROOT.resolve(name).resolve("reference").resolve(file));
    }

    public static int[] inputIds(String name) {
        try {
            var json = JsonParser.parseString(Files.readString(ROOT.resolve(name).resolve("reference").resolve("input.json")));
            var ids = json.getAsJsonObject().getAsJsonArray("ids");
            int[] out = new int[ids.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ids.get(i).getAsInt();
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** max |a − b|, after checking the lengths agree. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    /** Largest errors of a run against a fixture's reference attention.npy and output.npy (shapes checked first). */
    public record RunErrors(double attention, double output) {
    }

    public static RunErrors runErrors(String fixture, AnalysisResult result) {
        Npy.FloatArray attention = reference(fixture, "attention.npy");
        assertArrayEquals(attention.shape(), Arrays.stream(result.attention().shape()).asLongStream().toArray());
        Npy.FloatArray output = reference(fixture, "output.npy");
        assertArrayEquals(output.shape(), Arrays.stream(result.output().shape()).asLongStream().toArray());
        return new RunErrors(maxAbsDiff(attention.values(), result.attention().values()),
                maxAbsDiff(output.values(), result.output().values()));
    }

    /** Largest error of layer 1's hook_q (after RoPE, [pos, head, d_head]) against the fixture's q_L1.npy. */
    public static double hookQError(String fixture, LoadedModel model, int[] ids) {
        String hook = HookNames.q(1);
        INDArray q = model.transformer().run(new int[][] {ids}, Hooks.capturing(hook::equals)).cache().get(hook);
        Npy.FloatArray qReference = reference(fixture, "q_L1.npy");
        assertArrayEquals(qReference.shape(), Arrays.copyOfRange(q.shape(), 1, 4));
        return maxAbsDiff(qReference.values(), q.dup('c').data().asFloat());
    }

    /**
     * Loads {@code fixture}, runs its input and asserts attention, output and layer 1's hook_q are within
     * {@code tolerance} of the PyTorch reference (printing the three errors, for the fidelity tables in the docs).
     */
    public static void assertMatchesReferenceWithHookQ(String fixture, double tolerance) {
        try (LoadedModel model = ModelLoader.load(model(fixture).toString())) {
            int[] ids = inputIds(fixture);
            RunErrors errors = runErrors(fixture, Analyzer.analyze(model, ModelInput.fromIds(model, ids)));
            double qError = hookQError(fixture, model, ids);
            System.out.printf("fidelity %-26s attention max|err| %.2e  output max|err| %.2e  hook_q max|err| %.2e%n",
                    fixture, errors.attention(), errors.output(), qError);
            assertTrue(errors.attention() <= tolerance, fixture + " attention error " + errors.attention());
            assertTrue(errors.output() <= tolerance, fixture + " output error " + errors.output());
            assertTrue(qError <= tolerance, fixture + " hook_q error " + qError);
        }
    }

    /** Every number of a (nested) JSON array of a reference file, depth first. */
    public static double[] numbers(JsonElement e) {
        List<Double> out = new ArrayList<>();
        collectNumbers(e, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collectNumbers(JsonElement e, List<Double> out) {
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> collectNumbers(x, out));
        } else {
            out.add(e.getAsDouble());
        }
    }
}
