package headwise.engine.llama2c;

import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.Generation;
import headwise.engine.run.Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Headwise's greedy decoding of stories260K against the independent run.c transliteration and llama2.c's published output. */
class Llama2cGenerationTest {

    /** doc/stories260K.md in llama2.c: {@code ./run stories260K.bin -z tok512.bin -t 0.0} (256 steps from BOS). */
    static final String LLAMA2C_GREEDY = """
            Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. \
            She wanted to play with it, but it was too high.
            Lily's mom said, "Lily, let's go to the park." Lily was sad and didn't know what to do. She said, "I want to play with your \
            ball, but I can't find it."
            Lily was sad and didn't know what to do. She said, "I'm sorry, Lily. I didn't know what to do."
            Lily didn't want to help her mom, so she said, "I'm sorry, mom. I didn't know what to do." Her mom said, "Don't worry, \
            Lily. We can help you.""";

    static LoadedModel model;
    static Generation fromBos;

    @BeforeAll
    static void generate() {
        model = ModelLoader.load(Llama2cReference.STORIES260K.toString());
        fromBos = Generator.generate(model.transformer(), new int[] {1},
                new Generator.Settings(256, Generator.defaultStopIds(model), true, true));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyFromBosEqualsTheReference() throws IOException {
        Llama2cReference reference = new Llama2cReference(Llama2cReference.STORIES260K.resolve("stories260K.bin"));
        List<Integer> expected = reference.greedy(new int[] {1}, 256, 2, 1);
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), fromBos.ids());
        assertEquals(256, fromBos.ids().length);
        assertEquals(Generation.Stop.MAX_NEW, fromBos.stop());
    }

    @Test
    void greedyFromBosReproducesLlama2csOwnOutput() {
        assertEquals(LLAMA2C_GREEDY, Generator.continuationText(model.tokenizer(), new int[] {1}, fromBos.ids()));
    }

    @Test
    void logitsOfTheFirstStepsAgreeWithTheReference() throws IOException {
        Llama2cReference reference = new Llama2cReference(Llama2cReference.STORIES260K.resolve("stories260K.bin"));
        int token = 1;
        double worst = 0;
        for (int step = 0; step < 24; step++) {
            float[] expected = reference.forward(token, step);
            float[] actual = fromBos.logits().get(step);
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
            token = fromBos.ids()[step];
        }
        assertTrue(worst < 1e-4, "max |logit difference| " + worst);
    }

    @Test
    void attentionOfEveryStepIsKeptAsPlainArrays() {
        assertEquals(256, fromBos.attention().size());
        assertEquals(1, fromBos.promptAttention().length());
        for (int k = 0; k < fromBos.attention().size(); k++) {
            Generation.StepAttention step = fromBos.attention().get(k);
            assertEquals(k, step.query());
            assertEquals(k + 1, step.keys());
            for (int layer = 0; layer < 5; layer++) {
                for (int head = 0; head < 8; head++) {
                    float sum = 0;
                    for (float p : step.row(layer, head)) {
                        sum += p;
                    }
                    assertEquals(1f, sum, 1e-4f);
                }
            }
        }
    }

    @Test
    void aTextPromptContinuesAndTheStepAttentionMatchesAFullForward() {
        Llama2cTokenizer tokenizer = (Llama2cTokenizer) model.tokenizer();
        int[] prompt = tokenizer.encode("Once upon a time, there was a dog", true, false);
        Generation g = Generator.generate(model.transformer(), prompt, new Generator.Settings(12, new int[] {1, 2}, true, false));
        int[] all = Arrays.copyOf(prompt, prompt.length + g.ids().length - 1);
        System.arraycopy(g.ids(), 0, all, prompt.length, g.ids().length - 1);
        var full = headwise.engine.run.Analyzer.analyze(model, headwise.engine.run.ModelInput.fromIds(model, all));
        for (int k = 0; k < g.ids().length; k++) {
            Generation.StepAttention step = g.attention().get(k);
            for (int layer = 0; layer < 5; layer++) {
                for (int head = 0; head < 8; head++) {
                    for (int key = 0; key < step.keys(); key++) {
                        assertEquals(full.attention().get(layer, head, step.query(), key), step.get(layer, head, key), 1e-5f);
                    }
                }
            }
        }
    }

    @Test
    void stopsWhenThePositionsRunOut() {
        int[] prompt = new int[510];
        Arrays.fill(prompt, 1, prompt.length, 261); // BOS then " a" …
        prompt[0] = 1;
        Generation g = Generator.generate(model.transformer(), prompt, new Generator.Settings(50, new int[0], false, false));
        assertEquals(Generation.Stop.POSITIONS, g.stop());
        assertEquals(512 - 510 + 1, g.ids().length); // the last token is chosen at position 511 and never fed
    }
}
