package headwise.engine.analysis.importance;

import headwise.engine.Fixtures;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;

class AblationImportanceTest {

    /** Batched, re-used ablation against a plain full re-run per head with Interventions.ablateHeads. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "bert_f32", "pythia_f32", "gemma2_f32", "gemma3_f32"})
    void batchedAblationEqualsFullReRuns(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            for (Interventions.Ablation mode : Interventions.Ablation.values()) {
              {
                // a small budget forces chunks of 2 copies, exercising the chunking
                AblationImportance.Options options = AblationImportance.Options.defaults()
                        .withMemoryBudget(chunkOfTwo(AblationImportance.memory(transformer, ids.length, AblationImportance.Scope.ALL)));
                AblationScores scores = AblationImportance.compute(transformer, ids, mode, options);
                assertEquals(transformer.spec().layers(), scores.layers());
                double[] clean = flat(transformer.run(new int[][] {ids}, Hooks.none()).output());
                int width = (int) transformer.run(new int[][] {ids}, Hooks.none()).output().size(2);
                double worst = 0;
                for (int layer = 0; layer < scores.layers(); layer++) {
                    for (int head = 0; head < scores.heads(); head++) {
                        double[] ablated = flat(transformer.run(new int[][] {ids},
                                Interventions.ablateHeads(Hooks.none(), layer, mode, head)).output());
                        Reference ref = Reference.of(scores.readout(), ids, clean, ablated, width, scores.target(), scores.position());
                        if (scores.readout() == Readout.HIDDEN) {
                            worst = Math.max(worst, Math.abs(ref.hiddenChange - scores.hiddenChange()[layer][head]));
                            assertNull(scores.deltaLoss());
                        } else {
                            worst = Math.max(worst, Math.abs(ref.deltaLoss - scores.deltaLoss()[layer][head]));
                            worst = Math.max(worst, Math.abs(ref.deltaLogit - scores.deltaLogit()[layer][head]));
                            worst = Math.max(worst, Math.abs(ref.deltaProb - scores.deltaProb()[layer][head]));
                            worst = Math.max(worst, Math.abs(ref.kl - scores.kl()[layer][head]));
                            worst = Math.max(worst, Math.abs(ref.klMean - scores.klMean()[layer][head]));
                        }
                    }
                }
                System.out.printf("ablation %-9s %-4s batched vs full re-run max|err| %.2e%n", fixture, mode, worst);
                assertTrue(worst <= 1e-5, fixture + " " + mode + " error " + worst);
                double[][] primary = scores.primary();
                assertTrue(maxAbs(primary) > 1e-6, "ablation has some effect");
              }
            }
        }
    }

    /**
     * Chunks of one copy (what a budget too small for two gives, as long inputs get) score as the batched run: the
     * lone copy used to be closed with its parts ("Unable to wrap closed buffer"). Gemma-2 rebuilds resid_mid from a
     * repeated resid_pre, the other path that stacks a single array.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "gemma2_f32"})
    void chunksOfOneCopyScoreAsTheBatchedRun(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = model.transformer();
            int[] ids = Fixtures.inputIds(fixture);
            AblationScores batched = AblationImportance.compute(transformer, ids, Interventions.Ablation.ZERO,
                    AblationImportance.Options.defaults());
            AblationImportance.Options oneCopy = AblationImportance.Options.defaults().withMemoryBudget(1);
            assertEquals(1, AblationImportance.memory(transformer, ids.length, AblationImportance.Scope.ALL).copiesPerChunk(1, 4));
            AblationScores single = AblationImportance.compute(transformer, ids, Interventions.Ablation.ZERO, oneCopy);
            double[][] expected = batched.primary();
            double[][] actual = single.primary();
            for (int layer = 0; layer < expected.length; layer++) {
                assertArrayEquals(expected[layer], actual[layer], 1e-6, fixture + " layer " + layer);
            }
            assertTrue(maxAbs(actual) > 1e-6, "ablation has some effect");
        }
    }

    /** A vision classifier: the measures are read off the class logits; input is an embedding. */
    @Test
    void classifierAblationEqualsFullReRuns() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("vit_f32").toString())) {
            Transformer transformer = model.transformer();
            ModelSpec.Vision vision = model.spec().vision();
            float[] pixels = new float[vision.channels() * vision.imageSize() * vision.imageSize()];
            Random random = new Random(3);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            INDArray embedded = PatchEmbedding.embed(model.spec(), transformer.weights().vision(), pixels);
            AblationScores scores = AblationImportance.compute(transformer, null, embedded, Interventions.Ablation.ZERO,
                    AblationImportance.Options.defaults());
            assertEquals(Readout.CLASS, scores.readout());
            INDArray cleanOut = transformer.runFromEmbeddings(embedded, Hooks.none()).output();
            double[] clean = flat(cleanOut);
            double worst = 0;
            for (int layer = 0; layer < scores.layers(); layer++) {
                for (int head = 0; head < scores.heads(); head++) {
                    double[] ablated = flat(transformer.runFromEmbeddings(embedded,
                            Interventions.ablateHeads(Hooks.none(), layer, Interventions.Ablation.ZERO, head)).output());
                    Reference ref = Reference.of(Readout.CLASS, null, clean, ablated, (int) cleanOut.size(2), scores.target(), 0);
                    worst = Math.max(worst, Math.abs(ref.deltaLoss - scores.deltaLoss()[layer][head]));
                    worst = Math.max(worst, Math.abs(ref.deltaProb - scores.deltaProb()[layer][head]));
                    worst = Math.max(worst, Math.abs(ref.kl - scores.kl()[layer][head]));
                }
            }
            assertTrue(worst <= 1e-5, "classifier error " + worst);
        }
    }

    /**
     * A head whose output projection is zero contributes nothing: removing it changes nothing, up to the float32
     * rounding that differs between rows of a batched and an unbatched product (~1 ulp: Δloss ≤ 1e-6; KL, being
     * quadratic in the change, ≤ 1e-9; the hidden state within 1e-6 relative).
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "bert_f32"})
    void ablatingAHeadWithZeroOutputChangesNothing(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int layer = 1;
            int head = 2;
            Transformer silenced = withSilentHead(model.transformer(), layer, head);
            int[] ids = Fixtures.inputIds(fixture);
            for (Interventions.Ablation mode : Interventions.Ablation.values()) {
                AblationScores scores = AblationImportance.compute(silenced, ids, mode, AblationImportance.Options.defaults());
                if (scores.readout() == Readout.HIDDEN) {
                    double norm = silenced.run(new int[][] {ids}, Hooks.none()).output().norm2Number().doubleValue();
                    System.out.printf("silent head %s %s: hidden change %.2e (relative %.2e)%n", fixture, mode,
                            scores.hiddenChange()[layer][head], scores.hiddenChange()[layer][head] / norm);
                    assertTrue(scores.hiddenChange()[layer][head] <= 1e-6 * norm, "hidden change " + scores.hiddenChange()[layer][head]);
                    assertTrue(scores.hiddenChange()[layer][head + 1] > 1e-4, "a live head does change the output");
                } else {
                    System.out.printf("silent head %s %s: Δloss %.2e KL %.2e KLmean %.2e Δlogit %.2e%n", fixture, mode,
                            scores.deltaLoss()[layer][head], scores.kl()[layer][head], scores.klMean()[layer][head],
                            scores.deltaLogit()[layer][head]);
                    assertTrue(Math.abs(scores.deltaLoss()[layer][head]) <= 1e-6, "Δloss " + scores.deltaLoss()[layer][head]);
                    assertTrue(scores.kl()[layer][head] <= 1e-9, "KL " + scores.kl()[layer][head]);
                    assertTrue(scores.klMean()[layer][head] <= 1e-9);
                    assertTrue(Math.abs(scores.deltaLogit()[layer][head]) <= 1e-5);
                    assertTrue(Math.abs(scores.deltaLoss()[layer][head + 1]) > 1e-6, "a live head does change the loss");
                }
            }
        }
    }

    @Test
    void chosenTargetIsReadAndLossIsNextTokenNll() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[] ids = Fixtures.inputIds("gpt2_f32");
            AblationScores scores = AblationImportance.compute(model.transformer(), ids, Interventions.Ablation.ZERO,
                    AblationImportance.Options.defaults().withTarget(5));
            assertEquals(5, scores.target());
            assertEquals(ids.length - 1, scores.position());
            double[] clean = flat(model.transformer().run(new int[][] {ids}, Hooks.none()).output());
            Reference ref = Reference.of(Readout.NEXT_TOKEN, ids, clean, clean, 97, 5, ids.length - 1);
            assertEquals(ref.baselineLoss, scores.baselineLoss(), 1e-6);
            double[][] lp = Reference.logSoftmax(clean, ids.length, 97);
            assertEquals(Math.exp(lp[ids.length - 1][5]), scores.baselineProb(), 1e-7);
            assertNotNull(scores.primary());
        }
    }

    static Transformer withSilentHead(Transformer transformer, int layer, int head) {
        ModelWeights w = transformer.weights();
        int dHead = transformer.spec().dHead();
        List<ModelWeights.LayerWeights> layers = new ArrayList<>(w.layers());
        ModelWeights.LayerWeights lw = layers.get(layer);
        INDArray o = lw.o().weight().dup('c');
        o.get(interval(head * dHead, (head + 1) * dHead), all()).assign(0);
        layers.set(layer, new ModelWeights.LayerWeights(lw.attnNorm(), lw.q(), lw.k(), lw.v(),
                new ModelWeights.Linear(o, lw.o().bias()), lw.mlpNorm(), lw.mlpIn(), lw.mlpGate(), lw.mlpOut()));
        return new Transformer(transformer.spec(), new ModelWeights(w.tokenEmbed(), w.positionEmbed(), w.tokenTypeEmbed(),
                w.embedNorm(), layers, w.finalNorm(), w.unembed(), w.vision()));
    }

    static double[] flat(INDArray x) {
        return x.dup('c').data().asDouble();
    }

    static double maxAbs(double[][] m) {
        double max = 0;
        for (double[] row : m) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    /** The measures written out naively in double from two output arrays [rows, width]. */
    record Reference(double baselineLoss, double deltaLoss, double deltaLogit, double deltaProb, double kl, double klMean,
                     double hiddenChange) {

        static Reference of(Readout readout, int[] ids, double[] clean, double[] ablated, int width, int target, int position) {
            int rows = clean.length / width;
            if (readout == Readout.HIDDEN) {
                double s = 0;
                for (int i = 0; i < clean.length; i++) {
                    s += (ablated[i] - clean[i]) * (ablated[i] - clean[i]);
                }
                return new Reference(0, 0, 0, 0, 0, 0, Math.sqrt(s));
            }
            double[][] lp = logSoftmax(clean, rows, width);
            double[][] lq = logSoftmax(ablated, rows, width);
            double lossP = 0;
            double lossQ = 0;
            int n = 0;
            for (int t = 0; t < rows; t++) {
                int y = readout == Readout.CLASS ? target : readout == Readout.NEXT_TOKEN ? (t + 1 < rows ? ids[t + 1] : -1) : ids[t];
                if (y >= 0) {
                    lossP -= lp[t][y];
                    lossQ -= lq[t][y];
                    n++;
                }
            }
            double[] kls = new double[rows];
            for (int t = 0; t < rows; t++) {
                for (int v = 0; v < width; v++) {
                    kls[t] += Math.exp(lp[t][v]) * (lp[t][v] - lq[t][v]);
                }
            }
            double klMean = java.util.Arrays.stream(kls).average().orElse(0);
            return new Reference(lossP / n, (lossQ - lossP) / n,
                    ablated[position * width + target] - clean[position * width + target],
                    Math.exp(lq[position][target]) - Math.exp(lp[position][target]), kls[position], klMean, 0);
        }

        static double[][] logSoftmax(double[] x, int rows, int width) {
            double[][] out = new double[rows][width];
            for (int t = 0; t < rows; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < width; v++) {
                    max = Math.max(max, x[t * width + v]);
                }
                double sum = 0;
                for (int v = 0; v < width; v++) {
                    sum += Math.exp(x[t * width + v] - max);
                }
                double lse = max + Math.log(sum);
                for (int v = 0; v < width; v++) {
                    out[t][v] = x[t * width + v] - lse;
                }
            }
            return out;
        }
    }

    /** A budget whose chunks hold two copies. */
    private static long chunkOfTwo(AblationMemory memory) {
        long budget = memory.fixedBytes() + 2 * memory.perCopyBytes() + 1;
        assertEquals(2, memory.copiesPerChunk(budget, 4));
        return budget;
    }
}
