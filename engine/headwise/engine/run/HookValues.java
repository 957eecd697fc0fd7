package headwise.engine.run;

import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named hook values of one run as plain float32 arrays, for callers outside the engine (the app's q/k projection).
 * The run is the model's own: the hooks only copy.
 */
public final class HookValues {

    /** One hook's value, row-major, with its shape (e.g. hook_q: [batch, pos, head, d_head]). */
    public record Value(int[] shape, float[] values) {
    }

    private HookValues() {
    }

    /** Runs {@code input} and copies the values at {@code hookNames}; a name the run never reaches is absent. */
    public static Map<String, Value> capture(LoadedModel model, ModelInput input, Set<String> hookNames) {
        Map<String, Value> out = new LinkedHashMap<>();
        Hooks hooks = Hooks.none();
        for (String name : hookNames) {
            hooks.intervene(name, x -> {
                INDArray dense = x.dup('c');
                float[] values = (dense.dataType() == DataType.FLOAT ? dense : dense.castTo(DataType.FLOAT)).data().asFloat();
                out.put(name, new Value(Arrays.stream(x.shape()).mapToInt(d -> (int) d).toArray(), values));
                return x;
            });
        }
        Analyzer.analyze(model, input, hooks);
        return out;
    }
}
