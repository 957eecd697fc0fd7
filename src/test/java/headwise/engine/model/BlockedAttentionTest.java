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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attention computed a block of queries at a time (long inputs) gives the same output as all queries at once. */
class BlockedAttentionTest {

    private static Transformer withMaxWholeScores(LoadedModel model, long scores) {
        return model.transformer().withOptions(ForwardOptions.defaults().withMaxWholeScores(scores));
    }

    /** The query-block path (past maxWholeScores) with {@code queries} queries per block of each head. */
    private static Transformer queryBlocks(LoadedModel model, int queries) {
        return model.transformer().withOptions(ForwardOptions.defaults().withMaxWholeScores(1).withQueryBlock(queries));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "mistral_window_f32", "bert_f32", "gemma2_f32", "llama_mqa_tied_f32"})
    void blocksMatchTheWholeComputation(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[][] ids = {Fixtures.inputIds(fixture)};
            float[] whole = model.transformer().run(ids, Hooks.none()).output().dup('c').data().asFloat();
            // one query per block: the smallest blocks the code makes (soft-capped scores, windows, shared key heads)
            Transformer blocks = queryBlocks(model, 1);
            float[] blocked = blocks.run(ids, Hooks.none()).output().dup('c').data().asFloat();
            assertTrue(whole.length > 0);
            // different GEMM blockings round differently; both stay within the project's 1e-5 of the reference
            assertArrayEquals(whole, blocked, 1e-5f, fixture);
            assertArrayEquals(Fixtures.reference(fixture, "output.npy").values(), blocked, 1e-5f, fixture + " vs reference");
            // outside the block arena (long inputs) the same
            Transformer noArena = model.transformer().withOptions(ForwardOptions.defaults()
                    .withMaxWholeScores(1).withQueryBlock(1).withBlockArena(false));
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
            Transformer blocks = queryBlocks(model, 3);
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

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void aPaddedBatchInBlocksGivesEachPromptItsOwnOutput(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[] longer = Fixtures.inputIds(fixture);
            int[] shorter = java.util.Arrays.copyOf(longer, longer.length - 4);
            int[] padded = java.util.Arrays.copyOf(shorter, longer.length); // right-padded with id 0
            Transformer blocks = queryBlocks(model, 2);
            float[] both = blocks.runPadded(new int[][] {longer, padded}, new int[] {longer.length, shorter.length}, Hooks.none())
                    .output().dup('c').data().asFloat();
            float[] aloneLonger = model.transformer().run(new int[][] {longer}, Hooks.none()).output().dup('c').data().asFloat();
            float[] aloneShorter = model.transformer().run(new int[][] {shorter}, Hooks.none()).output().dup('c').data().asFloat();
            int perPosition = aloneLonger.length / longer.length;
            assertArrayEquals(aloneLonger, java.util.Arrays.copyOf(both, aloneLonger.length), 1e-5f, fixture + " longer");
            assertArrayEquals(aloneShorter, java.util.Arrays.copyOfRange(both, aloneLonger.length,
                    aloneLonger.length + shorter.length * perPosition), 1e-5f, fixture + " shorter, padded keys left out");
        }
    }

    @Test
    void aCancelledRunStopsInsideTheBlocksAndGivesBlasItsThreadsBack() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("llama_f32").toString())) {
            ModelSpec spec = model.spec();
            int blasThreads = BlasThreads.current();
            Attention blocks = new QueryBlockAttention(spec, ForwardOptions.defaults().withQueryBlock(1), new AttentionScores(spec));
            org.nd4j.linalg.api.ndarray.INDArray q = org.nd4j.linalg.factory.Nd4j.rand(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 6, spec.heads(), spec.dHead());
            org.nd4j.linalg.api.ndarray.INDArray kv = org.nd4j.linalg.factory.Nd4j.rand(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 6, spec.kvHeads(), spec.dHead());
            Thread.currentThread().interrupt(); // what cancelling the app's job does to the thread running the forward
            try {
                java.util.concurrent.CancellationException stopped = assertThrows(java.util.concurrent.CancellationException.class,
                        () -> blocks.attend(3, q, kv, kv, 0, null, Hooks.none(), new headwise.engine.hooks.ActivationCache()));
                assertTrue(stopped.getMessage().contains("layer 3"), stopped.getMessage());
            } finally {
                Thread.interrupted();
            }
            assertEquals(blasThreads, BlasThreads.current(), "OpenBLAS's thread count is given back");
            assertTrue(blocks.attend(3, q, kv, kv, 0, null, Hooks.none(), new headwise.engine.hooks.ActivationCache()).length() > 0);
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
