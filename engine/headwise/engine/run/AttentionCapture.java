package headwise.engine.run;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
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
     * used). The run must be on one sequence of {@code length} tokens.
     */
    public static AttentionCapture attach(Hooks hooks, int layers, int heads, int length, AttentionMaps.Precision precision) {
        AttentionCapture capture = new AttentionCapture(AttentionMaps.allocate(layers, heads, length, precision));
        for (int layer = 0; layer < layers; layer++) {
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
        float[] head = new float[tt];
        for (int h = 0; h < heads; h++) {
            buffer.position((int) dense.offset() + h * tt);
            buffer.get(head);
            maps.setHead(layer, h, head, 0);
        }
    }
}
