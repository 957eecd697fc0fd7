package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * One attention path per run, one hook contract: the hooks q, k, v, z (and, where whole tensors exist, attn_scores
 * and pattern) see the same values and interventions change the output the same way on every path, and a run that
 * a path cannot serve is refused before it starts, naming the hook.
 */
class AttentionPathTest {

    private static final Predicate<String> QKVZ = name -> name.endsWith("hook_q") || name.endsWith("hook_k")
            || name.endsWith("hook_v") || name.endsWith("hook_z");

    private static float[] values(INDArray x) {
        return x.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** The path a run of {@code model} on {@code ids} with {@code hooks} takes. */
    private static AttentionPath path(Transformer t, int[][] ids, Hooks hooks) {
        int length = ids[0].length;
        return AttentionPath.choose(t.options(), t.spec(), ids.length, length, length, DataType.FLOAT, hooks, 0, t.spec().layers());
    }

    @Test
    void thePathFollowsTheSizeTheTypeAndTheScoreHooks() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelSpec spec = model.spec();
            ForwardOptions options = ForwardOptions.defaults();
            Hooks none = Hooks.none();
            int layers = spec.layers();
            assertEquals(AttentionPath.PER_HEAD, AttentionPath.choose(options, spec, 1, 8, 8, DataType.FLOAT, none, 0, layers));
            assertEquals(AttentionPath.PER_HEAD, AttentionPath.choose(options, spec, 1, 8, 8, DataType.FLOAT,
                    Hooks.capturing(n -> n.endsWith("hook_pattern")), 0, layers), "patterns are whole tensors on the per-head path");
            assertEquals(AttentionPath.BATCHED, AttentionPath.choose(options, spec, 1, 8, 8, DataType.DOUBLE, none, 0, layers));
            Hooks lastScores = Hooks.capturing(n -> n.equals(HookNames.attnScores(layers - 1)));
            assertEquals(AttentionPath.BATCHED, AttentionPath.choose(options, spec, 1, 8, 8, DataType.FLOAT, lastScores, 0, layers),
                    "a score hook on any layer sends the whole run down one path");
            assertEquals(AttentionPath.PER_HEAD, AttentionPath.choose(options, spec, 1, 8, 8, DataType.FLOAT, lastScores, 0, layers - 1),
                    "layers that do not run do not count");
            long limit = (long) spec.heads() * 8 * 8;
            ForwardOptions small = options.withMaxWholeScores(limit);
            assertEquals(AttentionPath.PER_HEAD, AttentionPath.choose(small, spec, 1, 8, 8, DataType.FLOAT, none, 0, layers));
            assertEquals(AttentionPath.QUERY_BLOCKS, AttentionPath.choose(small, spec, 1, 8, 9, DataType.FLOAT, none, 0, layers));
            assertEquals(AttentionPath.QUERY_BLOCKS, AttentionPath.choose(small, spec, 2, 8, 8, DataType.FLOAT, none, 0, layers));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "llama_mqa_tied_f32", "mistral_window_f32", "bert_f32"})
    void everyPathGivesTheHooksTheSameValues(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[][] ids = {Fixtures.inputIds(fixture)};
            int layers = model.spec().layers();
            Transformer usual = model.transformer();
            Transformer blocks = usual.withOptions(ForwardOptions.defaults().withMaxWholeScores((long) model.spec().heads() * ids[0].length));

            Hooks perHeadHooks = Hooks.capturing(QKVZ.or(name -> name.endsWith("hook_pattern")));
            Hooks batchedHooks = Hooks.capturing(QKVZ.or(name -> name.endsWith("hook_pattern") || name.endsWith("hook_attn_scores")));
            Hooks blockHooks = Hooks.capturing(QKVZ);
            assertEquals(AttentionPath.PER_HEAD, path(usual, ids, perHeadHooks));
            assertEquals(AttentionPath.BATCHED, path(usual, ids, batchedHooks));
            assertEquals(AttentionPath.QUERY_BLOCKS, path(blocks, ids, blockHooks));

            Transformer.Result perHead = usual.run(ids, perHeadHooks);
            Transformer.Result batched = usual.run(ids, batchedHooks);
            Transformer.Result blocked = blocks.run(ids, blockHooks);
            for (Transformer.Result other : List.of(batched, blocked)) {
                assertArrayEquals(values(perHead.output()), values(other.output()), 1e-5f, fixture);
                for (int layer = 0; layer < layers; layer++) {
                    for (String hook : List.of(HookNames.q(layer), HookNames.k(layer), HookNames.v(layer), HookNames.z(layer))) {
                        assertArrayEquals(values(perHead.cache().get(hook)), values(other.cache().get(hook)), 1e-5f, fixture + " " + hook);
                    }
                }
            }
            for (int layer = 0; layer < layers; layer++) {
                String pattern = HookNames.pattern(layer);
                assertArrayEquals(values(perHead.cache().get(pattern)), values(batched.cache().get(pattern)), 1e-5f, fixture + " " + pattern);
                // the scores hook sees what the pattern is the softmax of
                INDArray scores = batched.cache().get(HookNames.attnScores(layer));
                assertArrayEquals(values(batched.cache().get(pattern)), values(Nd4j.nn().softmax(scores.dup(), 3)), 1e-6f,
                        fixture + " softmax of " + HookNames.attnScores(layer));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void interventionsChangeEveryPathAlike(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[][] ids = {Fixtures.inputIds(fixture)};
            Transformer usual = model.transformer();
            Transformer blocks = usual.withOptions(ForwardOptions.defaults().withMaxWholeScores((long) model.spec().heads() * ids[0].length));
            // a strided view (not dense) for q, and head 0 of layer 1 zeroed at z
            Hooks hooks = Hooks.none()
                    .intervene(HookNames.q(0), q -> q.mul(2).permute(0, 2, 1, 3).dup('c').permute(0, 2, 1, 3))
                    .intervene(HookNames.z(1), z -> {
                        INDArray out = z.dup();
                        out.get(all(), all(), point(0), all()).assign(0);
                        return out;
                    });
            Hooks batchedHooks = hooks.copy().capture(name -> name.endsWith("hook_attn_scores"));
            assertEquals(AttentionPath.PER_HEAD, path(usual, ids, hooks));
            assertEquals(AttentionPath.BATCHED, path(usual, ids, batchedHooks));
            assertEquals(AttentionPath.QUERY_BLOCKS, path(blocks, ids, hooks));
            float[] perHead = values(usual.run(ids, hooks).output());
            assertArrayEquals(perHead, values(usual.run(ids, batchedHooks).output()), 1e-5f, fixture + " batched");
            assertArrayEquals(perHead, values(blocks.run(ids, hooks).output()), 1e-5f, fixture + " query blocks");
            float[] clean = values(usual.run(ids, Hooks.none()).output());
            assertTrue(Math.abs(clean[clean.length - 1] - perHead[perHead.length - 1]) > 1e-4, "the interventions changed the output");
        }
    }

    @Test
    void wholeTensorHooksOnQueryBlocksAreRefusedBeforeTheRunStarts() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[][] ids = {Fixtures.inputIds("gpt2_f32")};
            int t = ids[0].length;
            long limit = (long) model.spec().heads() * t;
            Transformer blocks = model.transformer().withOptions(ForwardOptions.defaults().withMaxWholeScores(limit));
            AtomicBoolean ran = new AtomicBoolean();
            Hooks hooks = Hooks.none()
                    .intervene(HookNames.residPre(0), x -> {
                        ran.set(true);
                        return x;
                    })
                    .capture(name -> name.equals(HookNames.attnScores(1)));
            HeadwiseException e = assertThrows(HeadwiseException.class, () -> blocks.run(ids, hooks));
            assertEquals(HookNames.attnScores(1) + " needs the whole [heads, queries, keys] tensor, which is not built for "
                    + t + " queries over " + t + " keys (" + limit * t + " scores, more than " + limit
                    + " at once); use a shorter input, or capture q and k and recompute the heads", e.getMessage());
            assertFalse(ran.get(), "refused before layer 0 ran");
            Hooks pattern = Hooks.none().intervene(HookNames.pattern(0), p -> p);
            assertTrue(assertThrows(HeadwiseException.class, () -> blocks.run(ids, pattern)).getMessage()
                    .startsWith(HookNames.pattern(0) + " needs the whole"));
        }
    }
}
