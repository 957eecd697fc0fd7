package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.PromptBatches;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompts of different lengths analyzed together in right-padded forwards give, prompt by prompt, what analyzing each
 * alone gives: causal models (GPT-2, grouped-query Llama) and a bidirectional one (BERT, whose attention must leave
 * the padded keys out), attention maps and outputs, and any hook's values cut to the prompt's own rows.
 */
class BatchAnalyzerTest {

    /** The fixture's input, two shorter prefixes, and a changed copy one shorter: four lengths, one repeated shape. */
    private static List<int[]> prompts(String fixture, int vocabulary) {
        int[] all = Fixtures.inputIds(fixture);
        int[] changed = Arrays.copyOf(all, all.length - 1);
        for (int i = 0; i < changed.length; i++) {
            changed[i] = (changed[i] * 5 + 1) % vocabulary;
        }
        return List.of(Arrays.copyOf(all, 3), all, changed, Arrays.copyOf(all, all.length / 2), Arrays.copyOf(changed, 3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "bert_f32"})
    void eachPromptOfAPaddedBatchMatchesItsOwnRun(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            List<ModelInput> inputs = new ArrayList<>();
            for (int[] ids : prompts(fixture, model.spec().vocabSize())) {
                inputs.add(ModelInput.fromIds(model, ids));
            }
            assertTrue(inputs.stream().allMatch(BatchAnalyzer::plainTokens), "token inputs share forwards");
            AnalysisResult[] batched = new AnalysisResult[inputs.size()];
            BatchAnalyzer.analyzeEach(model, inputs, 1024, 8, (result, i) -> batched[i] = result);
            for (int i = 0; i < inputs.size(); i++) {
                AnalysisResult alone = Analyzer.analyze(model, inputs.get(i));
                assertNotNull(batched[i], "prompt " + i);
                assertEquals(inputs.get(i), batched[i].input());
                assertArrayEquals(alone.output().shape(), batched[i].output().shape(), fixture + " prompt " + i);
                assertArrayEquals(alone.output().values(), batched[i].output().values(), 1e-5f, fixture + " output " + i);
                assertArrayEquals(alone.attention().shape(), batched[i].attention().shape());
                assertArrayEquals(alone.attention().values(), batched[i].attention().values(), 1e-5f, fixture + " attention " + i);
            }
            int[] full = Fixtures.inputIds(fixture);
            assertArrayEquals(Fixtures.reference(fixture, "output.npy").values(), batched[1].output().values(), 1e-5f,
                    fixture + " vs reference");
            assertEquals(full.length, batched[1].output().rows());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32", "bert_f32"})
    void hooksOnAPaddedRunSeeEachPromptInItsOwnRows(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            Transformer transformer = model.transformer();
            int[][] prompts = prompts(fixture, model.spec().vocabSize()).toArray(int[][]::new);
            List<PromptBatches.Batch> batches = PromptBatches.of(prompts, 1024, 8);
            assertEquals(1, batches.size(), "all five in one forward");
            PromptBatches.Batch batch = batches.get(0);
            int layer = model.spec().layers() - 1;
            String[] names = {HookNames.q(layer), HookNames.z(layer), HookNames.residPost(0), HookNames.pattern(layer)};
            Hooks capture = Hooks.capturing(n -> Arrays.asList(names).contains(n));
            Transformer.Result padded = transformer.runPadded(batch.ids(), batch.lengths(), capture);
            int t = batch.length();
            for (int b = 0; b < batch.prompts().length; b++) {
                int[] ids = prompts[batch.prompts()[b]];
                Transformer.Result alone = transformer.run(new int[][] {ids}, Hooks.capturing(n -> Arrays.asList(names).contains(n)));
                for (String name : names) {
                    float[] expected = values(alone.cache().get(name));
                    float[] actual = rows(padded.cache().get(name), b, ids.length, t, name.endsWith("hook_pattern"));
                    assertArrayEquals(expected, actual, 1e-5f, fixture + " " + name + " prompt " + b);
                }
            }
        }
    }

    /** The corpus job's forwards: no logits, attention unchanged, the output the final-normed hidden state. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void withoutLogitsTheAttentionIsUnchangedAndTheOutputIsTheFinalNormedState(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            LoadedModel noLogits = model.withoutLogits();
            assertTrue(model.transformer().computesLogits());
            assertFalse(noLogits.transformer().computesLogits());
            assertFalse(noLogits.transformer().withOptions(model.transformer().options()).computesLogits(), "kept with other options");
            List<ModelInput> inputs = new ArrayList<>();
            for (int[] ids : prompts(fixture, model.spec().vocabSize())) {
                inputs.add(ModelInput.fromIds(model, ids));
            }
            AnalysisResult[] batched = new AnalysisResult[inputs.size()];
            BatchAnalyzer.analyzeEach(noLogits, inputs, 1024, 8, (result, i) -> batched[i] = result);
            for (int i = 0; i < inputs.size(); i++) {
                Hooks capture = Hooks.capturing(n -> n.equals(HookNames.FINAL_NORMALIZED) || n.equals(HookNames.LOGITS));
                Transformer.Result alone = model.transformer().run(new int[][] {inputs.get(i).ids()}, capture);
                assertTrue(alone.cache().has(HookNames.LOGITS));
                assertEquals(model.spec().dModel(), batched[i].output().cols(), fixture + " prompt " + i);
                assertArrayEquals(values(alone.cache().get(HookNames.FINAL_NORMALIZED)), batched[i].output().values(), 1e-5f,
                        fixture + " output " + i);
                assertArrayEquals(Analyzer.analyze(model, inputs.get(i)).attention().values(), batched[i].attention().values(), 1e-5f,
                        fixture + " attention " + i);
            }
            Hooks logitsHook = Hooks.capturing(n -> n.equals(HookNames.LOGITS));
            Transformer.Result none = noLogits.transformer().run(new int[][] {inputs.get(1).ids()}, logitsHook);
            assertFalse(none.cache().has(HookNames.LOGITS), "no logits, no hook_logits");
        }
    }

    @Test
    void aScoresHookTakesTheBatchedPathWhichMasksThePaddedKeysToo() {
        String fixture = "bert_f32";
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[][] prompts = prompts(fixture, model.spec().vocabSize()).toArray(int[][]::new);
            PromptBatches.Batch batch = PromptBatches.of(prompts, 1024, 8).get(0);
            Hooks scoresHooked = Hooks.none();
            for (int layer = 0; layer < model.spec().layers(); layer++) {
                scoresHooked.intervene(HookNames.attnScores(layer), x -> x);
            }
            float[] perHead = values(model.transformer().runPadded(batch.ids(), batch.lengths(), Hooks.none()).output());
            float[] batched = values(model.transformer().runPadded(batch.ids(), batch.lengths(), scoresHooked).output());
            int t = batch.length();
            int width = perHead.length / batch.prompts().length / t;
            for (int b = 0; b < batch.prompts().length; b++) {
                int from = b * t * width;
                int to = from + batch.lengths()[b] * width;
                assertArrayEquals(Arrays.copyOfRange(perHead, from, to), Arrays.copyOfRange(batched, from, to), 1e-5f, "prompt " + b);
            }
        }
    }

    @Test
    void promptsAreGroupedLongestFirstWithinTheLimits() {
        int[][] prompts = {{1}, {1, 2, 3, 4}, {5, 6}, {7, 8, 9}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
        List<PromptBatches.Batch> batches = PromptBatches.of(prompts, 8, 3);
        assertArrayEquals(new int[] {4}, batches.get(0).prompts(), "longer than the token limit: alone");
        assertArrayEquals(new int[] {1, 3}, batches.get(1).prompts(), "two of 4 tokens fill 8");
        assertArrayEquals(new int[] {2, 0}, batches.get(2).prompts());
        assertArrayEquals(new int[] {5, 6}, batches.get(2).ids()[0]);
        assertArrayEquals(new int[] {1, 1}, batches.get(2).ids()[1], "padded with its last id");
        assertArrayEquals(new int[] {2, 1}, batches.get(2).lengths());
        assertTrue(PromptBatches.of(prompts, 100, 2).stream().allMatch(b -> b.prompts().length <= 2));
        assertThrows(IllegalArgumentException.class, () -> PromptBatches.of(new int[][] {{}}, 8, 2));
    }

    private static float[] values(INDArray x) {
        return x.dup('c').data().asFloat();
    }

    /**
     * Row b of a padded [batch, T, …] value cut to its first {@code length} positions; a pattern [batch, heads, T, T]
     * to its top-left length² block of each head, as [1, heads, length, length].
     */
    private static float[] rows(INDArray x, int b, int length, int t, boolean pattern) {
        float[] all = values(x);
        int perCopy = all.length / (int) x.size(0);
        if (!pattern) {
            int perRow = perCopy / t;
            return Arrays.copyOfRange(all, b * perCopy, b * perCopy + length * perRow);
        }
        int heads = (int) x.size(1);
        float[] out = new float[heads * length * length];
        for (int h = 0; h < heads; h++) {
            for (int row = 0; row < length; row++) {
                System.arraycopy(all, b * perCopy + (h * t + row) * t, out, (h * length + row) * length, length);
            }
        }
        return out;
    }
}
