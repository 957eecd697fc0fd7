package headwise.app.ui.vlm;

import headwise.app.export.VlmViews;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Head page's line of shares per key class on a hand-written head, and the sinks' τ for a model's width. */
class KeyClassesTest {

    @Test
    void sharesAreTheMeanOverRowsOfEachClassesKeys() {
        TokenClasses classes = new TokenClasses(new TokenClass[] {TokenClass.SYSTEM, TokenClass.IMAGE, TokenClass.TEXT}, 1, 1, 1);
        float[] head = {
                1, 0, 0,
                0.5f, 0.5f, 0,
                0.2f, 0.3f, 0.5f};
        // system (1 + 0.5 + 0.2)/3, image (0.5 + 0.3)/3, text 0.5/3; no generated key, so none listed
        assertEquals("keys by class (mean over rows): system 56.7% \u00B7 text 16.7% \u00B7 image 26.7%", KeyClasses.line(head, 3, classes));
        assertNull(KeyClasses.line(head, 3, null), "not a vision-language run");
        assertNull(KeyClasses.line(new float[4], 2, classes), "classes of another sequence");
    }

    @Test
    void tauIsThePapersTwentyUnlessTheModelIsTooNarrowForIt() {
        assertEquals(20, VlmViews.defaultTau(4096));
        assertEquals(4, VlmViews.defaultTau(64));
        assertEquals(1, VlmViews.sinkOptions(2, 4).fromLayer(), "a two-layer model lists sinks from its last layer");
        assertEquals(2, VlmViews.sinkOptions(32, 20).fromLayer());
    }
}
