package headwise.engine.analysis.importance;

import headwise.engine.model.ModelSpec;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.MemoryBudget;

/**
 * The native memory an {@link AblationImportance} run allocates, all of it: what stays from the clean run (its
 * output and the captured resid_mid, z, and where needed resid_pre, k and v of every layer), the clean rows the
 * scorer keeps (float64 output, log-softmax and softmax), the rows of the one copy being scored with their
 * temporaries, and per copy of a chunk its resid_mid, the batch built from it, one block's temporaries and its
 * output. The clean forward itself peaks before the copies start. Float32 on the engine side, float64 for scoring.
 *
 * @param fixedBytes   what the whole run holds, whatever the chunk size
 * @param perCopyBytes what each copy of a chunk adds
 * @param forwardBytes the clean forward's own peak (freed before the copies run)
 */
public record AblationMemory(long fixedBytes, long perCopyBytes, long forwardBytes) {

    /** The estimate for {@code length} tokens of {@code spec} in {@code scope}; rows measured: all, or up to one. */
    public static AblationMemory of(ModelSpec spec, int length, AblationImportance.Scope scope, boolean linearShortcut) {
        long t = length;
        long d = spec.dModel();
        long layers = spec.layers();
        long width = spec.outputWidth();
        long outputRows = spec.output() == ModelSpec.Output.CLASS_LOGITS ? 1 : t;
        boolean all = scope == AblationImportance.Scope.ALL;
        // rows each copy carries through the layers, and rows of its output that are scored
        long carried = scope == AblationImportance.Scope.ABLATE_AT_POSITION ? 1 : t;
        long scored = all ? outputRows : 1;
        long kv = (long) spec.kvHeads() * spec.dHead();

        long captures = layers * t * (d + (long) spec.heads() * spec.dHead() + (linearShortcut ? 0 : d)
                + (scope == AblationImportance.Scope.ABLATE_AT_POSITION ? 2 * kv : 0)) * 4;
        long cleanOutput = outputRows * width * 4;
        // float64: x, log-softmax, softmax kept for the clean rows (all rows while the baseline loss is taken)
        long cleanRows = 3 * outputRows * width * 8;
        // one copy being scored: x, shifted/log-softmax, exp, softmax and the KL product, float64
        long scoring = 5 * scored * width * 8;
        long fixed = captures + cleanOutput + cleanRows + scoring;

        long block = carried * (12 * d + 3L * spec.dMlp() + 4L * spec.heads() * t);
        long copyRows = 3 * carried * d; // its resid_mid (or rebuilt from resid_pre), its row of the batch, its resid_pre
        long copyCache = scope == AblationImportance.Scope.ABLATE_AT_POSITION ? 2 * layers * t * kv : 0; // repeated k, v
        long copyOutput = (all ? carried : 1) * width;
        long perCopy = 4 * (block + copyRows + copyCache + copyOutput);
        long forward = MemoryBudget.estimate(spec, length, AttentionMaps.Precision.F32).nativeBytes();
        return new AblationMemory(fixed, perCopy, forward);
    }

    /** Copies per chunk that keep a chunk within {@code budgetBytes} (at least one, at most {@code heads}). */
    public int copiesPerChunk(long budgetBytes, int heads) {
        long room = budgetBytes - fixedBytes;
        return (int) Math.max(1, Math.min(heads, room / Math.max(1, perCopyBytes)));
    }

    /** The run's peak with chunks of {@code copies}: the clean forward's, or the copies' on top of what is held. */
    public long peakBytes(int copies) {
        return Math.max(forwardBytes, fixedBytes + copies * perCopyBytes);
    }

    /** The peak of a run of {@code spec} with {@code options}' budget. */
    public long peakBytes(ModelSpec spec, AblationImportance.Options options) {
        int heads = spec.heads();
        int per = copiesPerChunk(options.memoryBudgetBytes(), heads);
        int chunks = (heads + per - 1) / per;
        return peakBytes((heads + chunks - 1) / chunks);
    }
}
