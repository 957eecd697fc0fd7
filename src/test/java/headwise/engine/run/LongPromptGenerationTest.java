package headwise.engine.run;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generation after a prompt too long for whole attention patterns (it attends in query blocks, made to happen here
 * by a small maxWholeScores): the prompt runs through the blocked path and its last token as a cached step, so every
 * step's attention row is still observed, and the tokens, rows and logits are those of the whole-pattern run.
 */
class LongPromptGenerationTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void aPromptAttendingInBlocksGeneratesWhatTheWholePromptDoes(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            int[] prompt = Fixtures.inputIds(fixture);
            int p = prompt.length;
            long heads = model.spec().heads();
            Transformer whole = model.transformer();
            // the prompt's heads·P² scores pass the limit; one step's heads·(P + 8) do not
            Transformer blocked = whole.withOptions(ForwardOptions.defaults().withMaxWholeScores(heads * p * (p - 1)));
            assertTrue(blocked.attendsInBlocks(1, p, p), "the prompt attends in blocks");
            assertFalse(blocked.attendsInBlocks(1, 1, p + 8), "a step does not");
            Generator.Settings settings = new Generator.Settings(6, new int[0], true, true, false);
            Generation expected = Generator.generate(whole, prompt, settings);
            Generation actual = Generator.generate(blocked, prompt, settings);
            assertArrayEquals(expected.ids(), actual.ids(), fixture);
            assertEquals(expected.attention().size(), actual.attention().size());
            for (int s = 0; s < expected.attention().size(); s++) {
                Generation.StepAttention e = expected.attention().get(s);
                Generation.StepAttention a = actual.attention().get(s);
                assertEquals(e.keys(), a.keys(), "step " + s);
                for (int l = 0; l < e.layers(); l++) {
                    for (int h = 0; h < e.heads(); h++) {
                        for (int j = 0; j < e.keys(); j++) {
                            assertEquals(e.get(l, h, j), a.get(l, h, j), 1e-5f, fixture + " step " + s + " layer " + l + " head " + h);
                        }
                    }
                }
                // the blocked prompt's keys and values differ from the whole prompt's in the last bits, and each step
                // adds its own: logits agree to 1e-5 of their scale
                float[] logits = expected.logits().get(s);
                float scale = 0;
                for (float x : logits) {
                    scale = Math.max(scale, Math.abs(x));
                }
                assertArrayEquals(logits, actual.logits().get(s), 1e-5f * Math.max(1, scale), fixture + " logits " + s);
            }
        }
    }
}
