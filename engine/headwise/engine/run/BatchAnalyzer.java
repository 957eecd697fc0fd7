package headwise.engine.run;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Ops;
import headwise.engine.model.PromptBatches;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjIntConsumer;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * {@link Analyzer#analyze} for many inputs: text prompts of any lengths run together in right-padded forwards
 * ({@link PromptBatches}), each prompt's attention and output cut out of the batch, so that every result is what
 * analyzing that input alone gives (within float rounding). For many short prompts (corpus statistics): GEMMs on
 * many rows at once, and each layer's fixed costs paid once per batch. Inputs that cannot share a forward (images; attention over {@link #SHARED_MAPS_BYTES} or
 * not stored as float32) run alone.
 */
public final class BatchAnalyzer {

    /**
     * Largest float32 attention maps of a prompt that shares a forward. A batch holds every member's maps at once
     * (at most 2,048 positions: ≤ 2048·T·layers·heads floats, 390 MB for GPT-2-small prompts at this bound); longer
     * prompts fill the GEMMs on their own (GPT-2-small: from about 330 tokens) and run alone.
     */
    static final long SHARED_MAPS_BYTES = 64L << 20;

    private BatchAnalyzer() {
    }

    /** Analyzes every input, handing each result with its index to {@code each} (in no particular order). */
    public static void analyzeEach(LoadedModel model, List<ModelInput> inputs, ObjIntConsumer<AnalysisResult> each) {
        analyzeEach(model, inputs, PromptBatches.DEFAULT_TOKENS, PromptBatches.DEFAULT_PROMPTS, each);
    }

    /** The same with at most {@code maxTokens} padded positions and {@code maxPrompts} prompts per forward. */
    public static void analyzeEach(LoadedModel model, List<ModelInput> inputs, int maxTokens, int maxPrompts,
                                   ObjIntConsumer<AnalysisResult> each) {
        ModelSpec spec = model.spec();
        List<Integer> together = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            ModelInput input = inputs.get(i);
            input.validate(spec, "input " + i);
            boolean shares = plainTokens(input)
                    && AttentionMaps.bytes(spec.layers(), spec.heads(), input.length(), AttentionMaps.Precision.F32) <= SHARED_MAPS_BYTES
                    && MemoryBudget.check(spec, input.length(), model.transformer().options()) == AttentionMaps.Precision.F32;
            if (shares) {
                together.add(i);
            } else {
                each.accept(Analyzer.analyze(model, input), i);
            }
        }
        int[][] ids = together.stream().map(i -> inputs.get(i).ids()).toArray(int[][]::new);
        for (PromptBatches.Batch batch : PromptBatches.of(ids, maxTokens, maxPrompts)) {
            if (batch.prompts().length == 1) { // nothing to share: the single-input path, its memory reuse included
                int i = together.get(batch.prompts()[0]);
                each.accept(Analyzer.analyze(model, inputs.get(i)), i);
                continue;
            }
            run(model, batch, inputs, together, each);
        }
    }

    /**
     * Whether the input is token ids alone: it equals itself rebuilt from ids, tokens, offsets and text, so it holds
     * no image and nothing else that constructor leaves out (such as an input already embedded elsewhere), which
     * {@link Transformer#runPadded} would not see.
     */
    static boolean plainTokens(ModelInput input) {
        return input.equals(new ModelInput(input.ids(), input.tokens(), input.offsets(), input.text()));
    }

    /**
     * The batch's layers run together; each prompt's output head (final norm, vocabulary projection) runs on its own
     * rows alone. The output head works row by row, so nothing is shared by running it on the batch, whose logits
     * would be one block of every padded position (16 × 128 × 50,257 floats: 412 MB of fresh native memory per batch
     * for GPT-2, page-faulted in, over what SpareOutput keeps); a prompt's own logits are a buffer the next prompt
     * reuses, and the vocabulary GEMM runs at the same rate on 128 rows as on 2,048 (docs/performance.md).
     */
    private static void run(LoadedModel model, PromptBatches.Batch batch, List<ModelInput> inputs, List<Integer> together,
                            ObjIntConsumer<AnalysisResult> each) {
        ModelSpec spec = model.spec();
        int[] lengths = batch.lengths();
        AttentionMaps[] maps = new AttentionMaps[lengths.length];
        for (int b = 0; b < maps.length; b++) {
            maps[b] = AttentionMaps.allocate(spec.layers(), spec.heads(), lengths[b], AttentionMaps.Precision.F32);
        }
        String lastResidual = HookNames.residPost(spec.layers() - 1); // the output head's input
        Hooks hooks = Hooks.capturing(lastResidual::equals);
        for (int layer = 0; layer < spec.layers(); layer++) {
            int l = layer;
            hooks.intervene(HookNames.pattern(layer), pattern -> {
                copyPatterns(l, pattern, maps);
                return pattern;
            });
        }
        Transformer transformer = model.transformer();
        Transformer.Result layers = transformer.withoutLogits().runPadded(batch.ids(), lengths, hooks);
        close(layers.output()); // the batch's final-normed state: each prompt's own is made below
        INDArray residual = layers.cache().get(lastResidual); // [batch, T, d]
        for (int b = 0; b < lengths.length; b++) {
            INDArray own = residual.get(point(b), interval(0, lengths[b]), all()).dup('c').reshape(1, lengths[b], spec.dModel());
            INDArray output = transformer.unembed(own, Hooks.none(), new ActivationCache()); // [1, T, width] or [1, 1, classes]
            Matrix values = new Matrix((int) output.size(1), (int) output.size(2), Ops.floats(output));
            transformer.recycleOutput(output);
            close(own);
            int index = together.get(batch.prompts()[b]);
            each.accept(new AnalysisResult(model.name(), spec, inputs.get(index), maps[b], values), index);
            maps[b] = null; // the consumer's now: a batch does not keep 16 prompts' logits and maps alive on the heap
        }
        close(residual);
    }

    /** Native memory back now rather than at the next garbage collection. */
    private static void close(INDArray temporary) {
        if (temporary.closeable() && !temporary.wasClosed()) {
            temporary.close();
        }
    }

    /** pattern [batch, heads, T, T]: copy b's top-left lengths[b]² block of each head into its maps. */
    private static void copyPatterns(int layer, INDArray pattern, AttentionMaps[] maps) {
        INDArray dense = pattern.ordering() == 'c' && !pattern.isView() && pattern.dataType() == DataType.FLOAT
                ? pattern : pattern.castTo(DataType.FLOAT).dup('c');
        FloatBuffer buffer = dense.data().asNioFloat();
        int heads = (int) pattern.size(1);
        int t = (int) pattern.size(2);
        for (int b = 0; b < maps.length; b++) {
            int length = maps[b].length();
            float[] head = new float[length * length];
            for (int h = 0; h < heads; h++) {
                long start = dense.offset() + ((long) b * heads + h) * t * t;
                for (int row = 0; row < length; row++) {
                    buffer.position((int) (start + (long) row * t)).get(head, row * length, length);
                }
                maps[b].setHead(layer, h, head, 0);
            }
        }
    }
}
