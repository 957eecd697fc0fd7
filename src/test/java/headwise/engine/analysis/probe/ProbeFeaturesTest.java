package headwise.engine.analysis.probe;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batched feature extraction gives what one forward per example captures, pooled by hand. */
class ProbeFeaturesTest {

    /**
     * Examples of many lengths share right-padded forwards; each one's features (pooled over its own positions) and
     * token states are what a forward of that example alone gives: a causal model, and a bidirectional one whose
     * attention must leave the padding out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "bert_f32"})
    void paddedBatchesMatchSingleRuns(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            List<ProbeExample> examples = new ArrayList<>();
            int[] lengths = {3, 5, 3, 7, 5, 3, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 8}; // 21: two forwards of up to 16
            for (int i = 0; i < lengths.length; i++) {
                int[] ids = new int[lengths[i]];
                for (int t = 0; t < ids.length; t++) {
                    ids[t] = (7 * i + 13 * t) % model.spec().vocabSize();
                }
                examples.add(new ProbeExample(i + 1, null, ids, "x", null));
            }
            int dHead = model.spec().dHead();
            for (Pooling pooling : Pooling.values()) {
                ProbeFeatures features = ProbeFeatures.extract(model, Path.of("test.jsonl"), examples,
                        ProbeSettings.defaults().withSite(ProbeSite.RESID_MID).withPooling(pooling).withAttentive(2), d -> {
                });
                for (int i = 0; i < examples.size(); i++) {
                    Transformer.Result single = model.transformer().run(new int[][] {examples.get(i).ids()}, Hooks.capturing(n -> true));
                    int tokens = lengths[i];
                    String where = fixture + " " + pooling + " example " + i;
                    assertArrayEquals(pool(single, HookNames.EMBED, pooling, tokens), features.embedding()[i], 1e-5f, where + " embedding");
                    assertArrayEquals(Ops.floats(single.cache().get(HookNames.EMBED)), features.tokens()[0][i], 1e-5f, where + " embedding tokens");
                    for (int l = 0; l < model.spec().layers(); l++) {
                        assertArrayEquals(pool(single, HookNames.residMid(l), pooling, tokens), features.layers()[l][i], 1e-5f,
                                where + " resid_mid " + l);
                        assertArrayEquals(Ops.floats(single.cache().get(HookNames.residMid(l))), features.tokens()[l + 1][i], 1e-5f,
                                where + " resid_mid tokens " + l);
                        float[] z = pool(single, HookNames.z(l), pooling, tokens);
                        float[][] head1 = features.head(l, 1);
                        for (int j = 0; j < dHead; j++) {
                            assertEquals(z[dHead + j], head1[i][j], 1e-5f, where + " z of head 1, layer " + l);
                        }
                    }
                }
            }
        }
    }

    @Test
    void noiseDependsOnlyOnSeedAndExampleAndHasTheGivenSigma() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 3, 50, 40);
        float[] batch = Ops.floats(ProbeFeatures.withNoise(x, 0.5, 7, new int[] {4, 9, 2}));
        float[] alone = Ops.floats(ProbeFeatures.withNoise(Nd4j.zeros(DataType.FLOAT, 1, 50, 40), 0.5, 7, new int[] {9}));
        float[] row9 = java.util.Arrays.copyOfRange(batch, 2000, 4000);
        assertArrayEquals(alone, row9, 0f, "example 9's noise is the same in any batch");
        float[] otherSeed = Ops.floats(ProbeFeatures.withNoise(Nd4j.zeros(DataType.FLOAT, 1, 50, 40), 0.5, 8, new int[] {9}));
        assertTrue(otherSeed[0] != alone[0], "another seed, other noise");
        double squares = 0;
        for (float v : batch) {
            squares += v * v;
        }
        assertEquals(0.5, Math.sqrt(squares / batch.length), 0.02, "sigma");
        assertEquals(0.0, x.sumNumber().doubleValue(), "x is not modified");
    }

    @Test
    void tokenStatesThatDoNotFitTheHeapAreOneLine() {
        long bytes = ProbeFeatures.tokenStateBytes(new int[][] {{1, 2, 3}, {4, 5}}, 6, 384);
        assertEquals(5L * 7 * 384 * 4, bytes, "5 tokens at the embedding and 6 blocks");
        ProbeFeatures.checkTokenMemory(Path.of("data.jsonl"), bytes, 2 * bytes); // fits
        headwise.engine.HeadwiseException e = org.junit.jupiter.api.Assertions.assertThrows(headwise.engine.HeadwiseException.class,
                () -> ProbeFeatures.checkTokenMemory(Path.of("data.jsonl"), 3_000_000_000L, 4_000_000_000L));
        assertTrue(e.getMessage().startsWith("data.jsonl: the attentive probes keep every token's state, 3000 MB here"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static float[] pool(Transformer.Result run, String hook, Pooling pooling, int tokens) {
        float[] values = Ops.floats(run.cache().get(hook));
        return pooling.pool(values, 0, tokens, values.length / tokens);
    }
}
