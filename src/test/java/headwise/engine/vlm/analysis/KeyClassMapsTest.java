package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Keys grouped by class on hand-made heads whose class sums are written out, and the agreement with ClassShares. */
class KeyClassMapsTest {

    /** TEXT, IMAGE, IMAGE, TEXT: a 1×2 image at position 1, no SYSTEM or GENERATED position. */
    private static final TokenClasses FOUR = new TokenClasses(new TokenClass[] {TokenClass.TEXT, TokenClass.IMAGE, TokenClass.IMAGE,
            TokenClass.TEXT}, 1, 1, 2);

    /** Two layers of one head each: layer 0 causal, layer 1 a causal head that puts everything after the first row on the image. */
    private static AttentionMaps twoLayers() {
        float[] a = {
            1, 0, 0, 0,
            0.25f, 0.75f, 0, 0,
            0.2f, 0.3f, 0.5f, 0,
            0.1f, 0.2f, 0.3f, 0.4f,

            1, 0, 0, 0,
            0, 1, 0, 0,
            0, 0.9f, 0.1f, 0,
            0, 0.6f, 0.4f, 0};
        return new AttentionMaps(2, 1, 4, a);
    }

    @Test
    void everyRowSumsEachPresentClassOfItsKeys() {
        KeyClassMaps m = KeyClassMaps.of(twoLayers(), FOUR);
        assertArrayEquals(new TokenClass[] {TokenClass.TEXT, TokenClass.IMAGE}, m.present(), "only the classes some key has, in order");
        assertEquals(2, m.layers());
        assertArrayEquals(new float[] {1, 0, 0.25f, 0.75f, 0.2f, 0.8f, 0.5f, 0.5f}, m.head(0, 0), 1e-7f);
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1, 0, 1}, m.head(1, 0), 1e-7f);
        assertArrayEquals(new double[] {(1 + 0.25 + 0.2 + 0.5) / 4, (0.75 + 0.8 + 0.5) / 4}, m.shares(0, 0), 1e-7);
        assertArrayEquals(new double[] {0.25, 0.75}, m.layerShares()[1], 1e-7);
    }

    @Test
    void theMeanOverRowsIsClassSharesOverAllRows() {
        KeyClassMaps m = KeyClassMaps.of(twoLayers(), FOUR);
        ClassShares shares = ClassShares.of(twoLayers(), FOUR, ClassShares.queries(FOUR, ClassShares.Rows.ALL));
        for (int l = 0; l < 2; l++) {
            assertEquals(shares.of(TokenClass.TEXT)[l][0], m.shares(l, 0)[0], 1e-6);
            assertEquals(shares.of(TokenClass.IMAGE)[l][0], m.shares(l, 0)[1], 1e-6);
        }
    }

    @Test
    void oneHeadsMatrixGroupsTheSameWay() {
        float[] layer0 = new float[16];
        twoLayers().readRows(0, 0, (q, values, offset) -> System.arraycopy(values, offset, layer0, q * 4, 4));
        KeyClassMaps one = KeyClassMaps.ofHead(layer0, 4, FOUR);
        assertArrayEquals(KeyClassMaps.of(twoLayers(), FOUR).head(0, 0), one.head(0, 0), 1e-7f);
        assertEquals(1, one.layers());
    }

    @Test
    void mismatchedLengthsAreOneLineErrors() {
        assertThrows(HeadwiseException.class, () -> KeyClassMaps.of(twoLayers(), TokenClasses.textOnly(5)));
        assertThrows(HeadwiseException.class, () -> KeyClassMaps.ofHead(new float[9], 4, FOUR));
    }
}
