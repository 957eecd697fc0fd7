package headwise.engine;

import com.google.gson.JsonParser;
import headwise.engine.npy.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The PyTorch-reference fixtures written by src/test/python/make_fixtures.py. */
public final class Fixtures {

    public static final Path ROOT = Path.of("src", "test", "resources", "fixtures");

    private Fixtures() {
    }

    public static Path model(String name) {
        return ROOT.resolve(name);
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
}
