package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attention computed a block of queries at a time (long inputs) gives the same output as all queries at once. */
class BlockedAttentionTest {

    private static Transformer withMaxWholeScores(LoadedModel model, long scores) {
        return model.transformer().withOptions(ForwardOptions.defaults().withMaxWholeScores(scores));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "mistral_window_f32", "bert_f32"})
    void blocksMatchTheWholeComputation(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[][] ids = {Fixtures.inputIds(fixture)};
            float[] whole = model.transformer().run(ids, Hooks.none()).output().dup('c').data().asFloat();
            // one query row of all heads per block (and a ragged last block): the smallest blocks the code makes
            Transformer blocks = withMaxWholeScores(model, (long) model.spec().heads() * ids[0].length);
            float[] blocked = blocks.run(ids, Hooks.none()).output().dup('c').data().asFloat();
            assertTrue(whole.length > 0);
            // different GEMM blockings round differently; both stay within the project's 1e-5 of the reference
            assertArrayEquals(whole, blocked, 1e-5f, fixture);
            assertArrayEquals(Fixtures.reference(fixture, "output.npy").values(), blocked, 1e-5f, fixture + " vs reference");
            // outside the block arena (long inputs) the blocks' scores share one buffer that is freed after the layer
            Transformer noArena = model.transformer().withOptions(ForwardOptions.defaults()
                    .withMaxWholeScores((long) model.spec().heads() * ids[0].length).withBlockArena(false));
            assertArrayEquals(blocked, noArena.run(ids, Hooks.none()).output().dup('c').data().asFloat(), 1e-6f, fixture + " no arena");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "mistral_window_f32"})
    void causalBlocksThatSkipLaterKeysMatchWithACacheToo(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[] all = Fixtures.inputIds(fixture);
            int split = all.length / 2;
            float[] whole = model.transformer().run(new int[][] {all}, Hooks.none()).output().dup('c').data().asFloat();
            // three query rows per block: every block but the last leaves keys out; then the same after a cached prefix
            Transformer blocks = withMaxWholeScores(model, 3L * model.spec().heads() * all.length);
            float[] blocked = blocks.run(new int[][] {all}, Hooks.none()).output().dup('c').data().asFloat();
            assertArrayEquals(whole, blocked, 1e-5f, fixture);
            KvCache cache = new KvCache(model.spec().layers());
            blocks.run(new int[][] {java.util.Arrays.copyOf(all, split)}, Hooks.none(), cache);
            float[] rest = blocks.run(new int[][] {java.util.Arrays.copyOfRange(all, split, all.length)}, Hooks.none(), cache)
                    .output().dup('c').data().asFloat();
            float[] wholeRest = java.util.Arrays.copyOfRange(whole, whole.length - rest.length, whole.length);
            assertArrayEquals(wholeRest, rest, 1e-5f, fixture + " after a cached prefix");
        }
    }

    @Test
    void hooksOnWholePatternsAreRefusedInBlocks() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[][] ids = {Fixtures.inputIds("gpt2_f32")};
            Transformer blocks = withMaxWholeScores(model, 1);
            HeadwiseException e = assertThrows(HeadwiseException.class,
                    () -> blocks.run(ids, Hooks.capturing(n -> n.equals(HookNames.pattern(0)))));
            assertTrue(e.getMessage().contains("shorter input"), e.getMessage());
        }
    }
}
