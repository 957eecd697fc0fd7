package headwise.engine.hooks;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HooksTest {

    private static LoadedModel gpt2;
    private static int[][] ids;

    @BeforeAll
    static void load() {
        gpt2 = ModelLoader.load(Fixtures.model("gpt2_f32").toString());
        ids = new int[][] {Fixtures.inputIds("gpt2_f32")};
    }

    @AfterAll
    static void close() {
        gpt2.close();
    }

    private static Transformer.Result run(Hooks hooks) {
        return gpt2.transformer().run(ids, hooks);
    }

    @Test
    void capturesOnlyWhatIsAsked() {
        Transformer.Result result = run(Hooks.capturing(name -> name.equals(HookNames.pattern(1)) || name.equals(HookNames.z(2))));
        assertEquals(Set.of(HookNames.pattern(1), HookNames.z(2)), result.cache().names());
    }

    @Test
    void everyHookPointHasTheTransformerLensShape() {
        int t = ids[0].length;
        Transformer.Result result = run(Hooks.capturing(name -> true));
        assertArrayEquals(new long[] {1, t, 64}, result.cache().get(HookNames.EMBED).shape());
        for (int layer = 0; layer < 3; layer++) {
            for (String name : new String[] {HookNames.residPre(layer), HookNames.attnOut(layer), HookNames.residMid(layer),
                    HookNames.mlpOut(layer), HookNames.residPost(layer)}) {
                assertArrayEquals(new long[] {1, t, 64}, result.cache().get(name).shape(), name);
            }
            for (String name : new String[] {HookNames.q(layer), HookNames.k(layer), HookNames.v(layer), HookNames.z(layer)}) {
                assertArrayEquals(new long[] {1, t, 4, 16}, result.cache().get(name).shape(), name);
            }
            assertArrayEquals(new long[] {1, 4, t, t}, result.cache().get(HookNames.attnScores(layer)).shape());
            assertArrayEquals(new long[] {1, 4, t, t}, result.cache().get(HookNames.pattern(layer)).shape());
        }
        assertArrayEquals(new long[] {1, t, 64}, result.cache().get(HookNames.FINAL_NORMALIZED).shape());
        assertArrayEquals(new long[] {1, t, 97}, result.cache().get(HookNames.LOGITS).shape());
    }

    @Test
    void residualStreamAddsUp() {
        Transformer.Result result = run(Hooks.capturing(name -> true));
        for (int layer = 0; layer < 3; layer++) {
            INDArray mid = result.cache().get(HookNames.residPre(layer)).add(result.cache().get(HookNames.attnOut(layer)));
            assertTrue(mid.equalsWithEps(result.cache().get(HookNames.residMid(layer)), 1e-6));
            INDArray post = mid.add(result.cache().get(HookNames.mlpOut(layer)));
            assertTrue(post.equalsWithEps(result.cache().get(HookNames.residPost(layer)), 1e-6));
        }
    }

    @Test
    void reweightingWithGammaOneIsTheIdentity() {
        INDArray clean = run(Hooks.none()).output();
        Hooks hooks = Hooks.none();
        for (int layer = 0; layer < 3; layer++) {
            Interventions.reweightKeys(hooks, layer, 1.0, new int[] {0, 3});
        }
        assertTrue(clean.equalsWithEps(run(hooks).output(), 0), "bit-identical");
    }

    @Test
    void patchingWithItsOwnCacheIsTheIdentity() {
        Transformer.Result clean = run(Hooks.capturing(name -> true));
        Hooks hooks = Hooks.none();
        for (String name : clean.cache().names()) {
            if (!name.equals(HookNames.LOGITS)) {
                Interventions.patch(hooks, name, clean.cache());
            }
        }
        assertTrue(clean.output().equalsWithEps(run(hooks).output(), 0));
    }

    @Test
    void patchingFromAnotherInputMovesTheOutputToThatRun() {
        int[][] other = {ids[0].clone()};
        other[0][0] = (other[0][0] + 1) % 97;
        Transformer.Result corrupted = gpt2.transformer().run(other, Hooks.capturing(name -> name.equals(HookNames.residPost(2))));
        Transformer.Result patched = run(Interventions.patch(Hooks.none(), HookNames.residPost(2), corrupted.cache()));
        Transformer.Result otherOutput = gpt2.transformer().run(other, Hooks.none());
        assertTrue(otherOutput.output().equalsWithEps(patched.output(), 1e-6), "patching the last residual stream copies that run's output");
        assertFalse(otherOutput.output().equalsWithEps(run(Hooks.none()).output(), 1e-3));
    }

    @Test
    void ablatingAHeadZeroesItsContextAndLeavesOthers() {
        Transformer.Result clean = run(Hooks.capturing(name -> name.equals(HookNames.z(1))));
        Transformer.Result ablated = run(Interventions.ablateHeads(Hooks.capturing(name -> name.equals(HookNames.z(1))), 1,
                Interventions.Ablation.ZERO, 2));
        INDArray z = ablated.cache().get(HookNames.z(1));
        assertEquals(0.0, z.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(2), org.nd4j.linalg.indexing.NDArrayIndex.all()).maxNumber().doubleValue(), 0);
        for (int head : new int[] {0, 1, 3}) {
            var index = new org.nd4j.linalg.indexing.INDArrayIndex[] {org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(head),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()};
            assertTrue(z.get(index).equalsWithEps(clean.cache().get(HookNames.z(1)).get(index), 0));
        }
    }

    @Test
    void runFromALayerReusesTheLayersBelow() {
        Transformer.Result clean = run(Hooks.capturing(name -> name.equals(HookNames.residPre(2))));
        Transformer.Result resumed = gpt2.transformer().runFrom(2, clean.cache().get(HookNames.residPre(2)), Hooks.none());
        assertTrue(clean.output().equalsWithEps(resumed.output(), 0));
    }
}
