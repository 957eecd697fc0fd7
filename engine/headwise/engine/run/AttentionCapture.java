package headwise.engine.run;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * Copies every layer's attention pattern into {@link AttentionMaps} while the forward runs, so native memory holds
 * one layer's pattern at a time instead of all of them (the hook observes; it does not change the run).
 */
public final class AttentionCapture {

    private final AttentionMaps maps;
    private final int heads;
    private final int length;

    private AttentionCapture(AttentionMaps maps) {
        this.maps = maps;
        this.heads = maps.heads();
        this.length = maps.length();
    }

    /**
     * Adds the observers to {@code hooks}, after any interventions already there (so the maps hold what the model
     * used). The run must be on one sequence of {@code length} tokens. With {@link AttentionMaps.Precision#RECOMPUTE}
     * the queries and keys are kept instead and each head's pattern is recomputed when read, so interventions on the
     * scores or patterns are not reflected in it (callers refuse that combination).
     */
    public static AttentionCapture attach(Hooks hooks, ModelSpec spec, int length, AttentionMaps.Precision precision) {
        return attach(hooks, spec, length, precision, null, 0);
    }

    /**
     * As {@link #attach} for a run of layers {@code fromLayer}… only: the maps of the layers below are {@code below}'s
     * (an earlier run on the same input whose layers below were the same), shared rather than copied.
     */
    public static AttentionCapture attachAbove(Hooks hooks, ModelSpec spec, AttentionMaps below, int fromLayer) {
        return attach(hooks, spec, below.length(), below.precision(), below, fromLayer);
    }

    private static AttentionCapture attach(Hooks hooks, ModelSpec spec, int length, AttentionMaps.Precision precision,
                                           AttentionMaps below, int fromLayer) {
        int layers = spec.layers();
        if (precision == AttentionMaps.Precision.RECOMPUTE) {
            RecomputedHeads source = new RecomputedHeads(spec, length);
            AttentionMaps maps = below == null ? AttentionMaps.recomputed(layers, spec.heads(), length, source)
                    : AttentionMaps.continuing(below, fromLayer, source);
            for (int layer = fromLayer; layer < layers; layer++) {
                int l = layer;
                hooks.intervene(HookNames.q(layer), q -> {
                    source.setQueries(l, Ops.floats(q));
                    return q;
                });
                hooks.intervene(HookNames.k(layer), k -> {
                    source.setKeys(l, Ops.floats(k));
                    return k;
                });
            }
            return new AttentionCapture(maps);
        }
        AttentionCapture capture = new AttentionCapture(below == null ? AttentionMaps.allocate(layers, spec.heads(), length, precision)
                : AttentionMaps.continuing(below, fromLayer, null));
        for (int layer = fromLayer; layer < layers; layer++) {
            int l = layer;
            hooks.intervene(HookNames.pattern(layer), pattern -> {
                capture.copy(l, pattern);
                return pattern;
            });
        }
        return capture;
    }

    public AttentionMaps maps() {
        return maps;
    }

    /** pattern: [1, heads, T, T] */
    private void copy(int layer, INDArray pattern) {
        INDArray dense = pattern.ordering() == 'c' && !pattern.isView() ? pattern : pattern.dup('c');
        FloatBuffer buffer = dense.data().asNioFloat();
        int tt = length * length;
        for (int h = 0; h < heads; h++) {
            buffer.position((int) dense.offset() + h * tt);
            maps.setHead(layer, h, buffer);
        }
    }
}
