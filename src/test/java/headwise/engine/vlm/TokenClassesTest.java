package headwise.engine.vlm;

import headwise.engine.HeadwiseException;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenClassesTest {

    private static final TokenClass T = TokenClass.TEXT;
    private static final TokenClass I = TokenClass.IMAGE;

    @Test
    void anImageTokenBeforeTheGridIsAnImagePositionOffTheGrid() {
        TokenClasses c = TokenClasses.withImage(8, 2, 1, 2, 2); // text, text, CLS, 4 patches, text
        assertArrayEquals(new TokenClass[] {T, T, I, I, I, I, I, T}, c.classes());
        assertEquals(3, c.imageStart());
        assertEquals(2, c.imageFirst());
        assertEquals(7, c.imageEnd());
        assertEquals(5, c.imageCount());
        assertEquals(4, c.gridCount());
        assertArrayEquals(new int[] {2, 3, 4, 5, 6}, c.imagePositions());
        assertTrue(c.isImage(2));
        assertFalse(c.onGrid(2));
        assertTrue(c.onGrid(3) && c.onGrid(6));
        assertFalse(c.onGrid(7));

        TokenClasses plain = TokenClasses.withImage(6, 1, 0, 2, 2);
        assertEquals(plain.imageStart(), plain.imageFirst());
        assertEquals(4, plain.imageCount());
        assertEquals(0, TokenClasses.textOnly(3).imageCount());
    }

    @Test
    void theImageIsOneRunEndingWithTheGrid() {
        assertThrows(HeadwiseException.class, () -> new TokenClasses(new TokenClass[] {I, T, I, I, T}, 2, 1, 2),
                "an image position apart from the run");
        assertThrows(HeadwiseException.class, () -> new TokenClasses(new TokenClass[] {T, I, I, I, T}, 1, 1, 2),
                "an image position after the grid");
        assertThrows(HeadwiseException.class, () -> new TokenClasses(new TokenClass[] {T, T, I, T, T}, 1, 1, 2),
                "a grid position that is not an image position");
    }
}
