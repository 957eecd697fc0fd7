package headwise.engine.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Each layer's q, k and v weights side by side, [d, (heads + 2·kvHeads)·d_head], so that a run whose three
 * projections read the same rows does one GEMM instead of three narrow ones (GPT-2-small: 768 columns each), which
 * run further from the BLAS's rate (docs/performance.md, Where one prompt's time goes). A copy of the weights: only
 * for models whose copies take at most {@link #MAX_BYTES} (small models, where the narrow GEMMs cost most), built on a
 * layer's first use and shared by every copy of its {@link Transformer}.
 */
final class FusedQkv {

    /** Largest total of the fused copies (GPT-2-small: 85 MB in float32). */
    static final long MAX_BYTES = 128L << 20;

    private final List<ModelWeights.LayerWeights> layers;
    private final boolean on;
    private final AtomicReferenceArray<ModelWeights.Linear> fused;

    FusedQkv(ModelWeights weights) {
        this(weights, MAX_BYTES);
    }

    /** @param maxBytes the budget for the fused copies (tests) */
    FusedQkv(ModelWeights weights, long maxBytes) {
        layers = weights.layers();
        on = fits(layers, maxBytes);
        fused = new AtomicReferenceArray<>(layers.size());
    }

    /** Layer {@code layer}'s fused projection, or null where q, k and v run apart. */
    ModelWeights.Linear of(int layer) {
        if (!on) {
            return null;
        }
        ModelWeights.Linear done = fused.get(layer);
        if (done == null) {
            fused.compareAndSet(layer, null, concatenated(layers.get(layer)));
            done = fused.get(layer);
        }
        return done;
    }

    private static ModelWeights.Linear concatenated(ModelWeights.LayerWeights w) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // outlives the block arena
            INDArray weight = Nd4j.hstack(w.q().weight(), w.k().weight(), w.v().weight()).dup('c');
            INDArray bias = w.q().bias() == null ? null
                    : Nd4j.concat(0, w.q().bias().reshape(-1), w.k().bias().reshape(-1), w.v().bias().reshape(-1)).dup('c');
            return new ModelWeights.Linear(weight, bias);
        }
    }

    /** Whether every layer's q, k and v are plain matrices of one type, all with biases or none, within the budget. */
    private static boolean fits(List<ModelWeights.LayerWeights> layers, long maxBytes) {
        long bytes = 0;
        for (ModelWeights.LayerWeights w : layers) {
            ModelWeights.Linear[] qkv = {w.q(), w.k(), w.v()};
            for (ModelWeights.Linear p : qkv) {
                if (p == null || p.weight().rank() != 2 || p.weight().dataType() != w.q().weight().dataType()
                        || p.weight().size(0) != w.q().weight().size(0) || (p.bias() == null) != (w.q().bias() == null)) {
                    return false;
                }
                bytes += p.weight().length() * p.weight().dataType().width();
            }
        }
        return !layers.isEmpty() && bytes <= maxBytes;
    }
}
