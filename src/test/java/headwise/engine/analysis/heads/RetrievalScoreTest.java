package headwise.engine.analysis.heads;

import headwise.engine.HeadwiseException;
import headwise.engine.model.Transformer;
import headwise.engine.run.Generation;
import headwise.engine.run.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrievalScoreTest {

    /** Haystack 0..7, needle 8..13, more haystack (the marker at 17), 24 tokens; the last query is 23. */
    static final int[] PROMPT = {3, 1, 4, 9, 2, 6, 5, 3, 7, 12, 0, 10, 2, 8, 6, 4, 3, MARK(), 1, 5, 9, 2, 6, 5};
    static final int NEEDLE_START = 8;
    static final int NEEDLE_END = 14;

    private static int MARK() {
        return FourHeadModel.MARK;
    }

    /**
     * The copy head attends, from the query that chooses each token, to exactly the needle token being copied: it
     * scores 1; the off-by-one head attends to the needle too but never to the token copied, the sink and marker
     * heads never to the needle: 0.
     */
    @Test
    void copyingHeadScoresOneAndTheOthersZero() {
        Transformer model = FourHeadModel.transformer(PROMPT.length - 1 - NEEDLE_START);
        NeedlePrompt prompt = new NeedlePrompt(PROMPT, NEEDLE_START, NEEDLE_END, null);
        RetrievalScore r = RetrievalScore.compute(model, prompt, 0);
        int[] needle = java.util.Arrays.copyOfRange(PROMPT, NEEDLE_START, NEEDLE_END);
        assertArrayEquals(needle, r.generated(), "the model reproduces the needle");
        assertEquals(6, r.copied());
        assertEquals(1.0, r.scores()[0][0], 1e-12);
        assertEquals(0.0, r.scores()[0][1]);
        assertEquals(0.0, r.scores()[0][2]);
        assertEquals(0.0, r.scores()[0][3]);
        assertEquals(1, r.heads(RetrievalScore.DEFAULT_THRESHOLD).size());
    }

    /** Decoding past the needle adds nothing: the head then copies haystack tokens, outside the span. */
    @Test
    void tokensCopiedFromOutsideTheNeedleDoNotCount() {
        Transformer model = FourHeadModel.transformer(PROMPT.length - 1 - NEEDLE_START);
        RetrievalScore r = RetrievalScore.compute(model, new NeedlePrompt(PROMPT, NEEDLE_START, NEEDLE_END, null), 10);
        assertEquals(10, r.generated().length);
        assertEquals(1.0, r.scores()[0][0], 1e-12);
        // half the needle: a head copying from the middle of the needle for 3 steps scores 3/6
        Generation g = Generator.generate(model, PROMPT, new Generator.Settings(3, new int[0], true, false, false));
        assertEquals(0.5, RetrievalScore.score(g, new NeedlePrompt(PROMPT, NEEDLE_START, NEEDLE_END, null)).scores()[0][0], 1e-12);
    }

    @Test
    void randomIdTemplatePlacesTheCueAfterTheHaystack() {
        var spec = FourHeadModel.transformer(1).spec();
        NeedlePrompt p = NeedlePrompt.randomIds(spec, 10, 6, 2, 7, null);
        assertEquals(10 + 6 + 2, p.ids().length);
        assertEquals(4, p.needleLength(), "the span is the part of the needle after the cue");
        int needle = p.needleStart() - 2;
        assertEquals(p.ids()[needle], p.ids()[p.ids().length - 2]);
        assertEquals(p.ids()[needle + 1], p.ids()[p.ids().length - 1]);
        assertThrows(HeadwiseException.class, () -> NeedlePrompt.randomIds(spec, 40, 6, 2, 7, null), "too long for 40 positions");
        assertThrows(HeadwiseException.class, () -> new NeedlePrompt(new int[] {1, 2}, 1, 3, null));
    }
}
