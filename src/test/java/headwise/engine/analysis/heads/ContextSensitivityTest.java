package headwise.engine.analysis.heads;

import headwise.engine.HeadwiseException;
import headwise.engine.model.Transformer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextSensitivityTest {

    /** 20 tokens; the marker at 10, inside the span [9, 12). */
    static final int[] IDS = {3, 1, 4, 9, 2, 6, 5, 3, 7, 12, FourHeadModel.MARK, 10, 2, 8, 6, 4, 3, 0, 1, 5};

    /**
     * Removing the span that holds the marker changes what the marker head reads (it had all its attention there);
     * the sink head reads token 0 in both runs and stays at 0.
     */
    @Test
    void aHeadReadingTheSpanIsSensitiveAndOneIgnoringItIsNot() {
        Transformer model = FourHeadModel.transformer(5);
        ContextSensitivity s = ContextSensitivity.compute(model, IDS, 9, 12);
        assertArrayEquals(java.util.stream.IntStream.range(12, 20).toArray(), s.queries(), "causal: the queries after the span");
        assertTrue(s.spanAttention()[0][3] > 0.999, "marker head on the span: " + s.spanAttention()[0][3]);
        assertTrue(s.relative()[0][3] > 0.5, "marker head relative change " + s.relative()[0][3]);
        assertTrue(s.distance()[0][3] > 2, "marker head change " + s.distance()[0][3]);
        assertTrue(s.spanAttention()[0][2] < 1e-9, "sink head on the span: " + s.spanAttention()[0][2]);
        assertEquals(0.0, s.distance()[0][2], 1e-6);
        assertEquals(0.0, s.relative()[0][2], 1e-6);
    }

    /**
     * A span after the marker, which the marker head does not read (every compared query still finds the marker),
     * leaves the marker and the sink head as they were.
     */
    @Test
    void removingASpanNoHeadReadsChangesNothingForThem() {
        Transformer model = FourHeadModel.transformer(5);
        ContextSensitivity s = ContextSensitivity.compute(model, IDS, 12, 15);
        assertEquals(0.0, s.distance()[0][3], 1e-6);
        assertEquals(0.0, s.distance()[0][2], 1e-6);
        assertTrue(s.distance()[0][0] > 1, "the positional copy head now reads other tokens: " + s.distance()[0][0]);
    }

    @Test
    void badSpansAreOneLineErrors() {
        Transformer model = FourHeadModel.transformer(5);
        assertThrows(HeadwiseException.class, () -> ContextSensitivity.compute(model, IDS, 5, 5));
        assertThrows(HeadwiseException.class, () -> ContextSensitivity.compute(model, IDS, 15, 25));
        assertThrows(HeadwiseException.class, () -> ContextSensitivity.compute(model, IDS, 15, 20), "causal: nothing after the span");
    }
}
