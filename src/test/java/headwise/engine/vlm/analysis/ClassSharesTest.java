package headwise.engine.vlm.analysis;

import headwise.engine.HeadwiseException;
import headwise.engine.run.AttentionMaps;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassSharesTest {

    /** SYSTEM, TEXT, IMAGE, IMAGE, GENERATED: a 1×2 image at position 2. */
    private static final TokenClasses FIVE = new TokenClasses(new TokenClass[] {TokenClass.SYSTEM, TokenClass.TEXT,
            TokenClass.IMAGE, TokenClass.IMAGE, TokenClass.GENERATED}, 2, 1, 2);

    /** One layer, one head, causal rows written out by hand. */
    private static AttentionMaps handMade() {
        float[] a = {
            1, 0, 0, 0, 0,
            0.5f, 0.5f, 0, 0, 0,
            0.2f, 0.2f, 0.6f, 0, 0,
            0.1f, 0.1f, 0.4f, 0.4f, 0,
            0.1f, 0.2f, 0.3f, 0.1f, 0.3f};
        return new AttentionMaps(1, 1, 5, a);
    }

    @Test
    void sharesAreTheMeanClassMassOfTheChosenRows() {
        ClassShares all = ClassShares.of(handMade(), FIVE, ClassShares.queries(FIVE, ClassShares.Rows.ALL));
        assertEquals((1 + 0.5 + 0.2 + 0.1 + 0.1) / 5, all.of(TokenClass.SYSTEM)[0][0], 1e-7);
        assertEquals((0.5 + 0.2 + 0.1 + 0.2) / 5, all.of(TokenClass.TEXT)[0][0], 1e-7);
        assertEquals((0.6 + 0.8 + 0.4) / 5, all.of(TokenClass.IMAGE)[0][0], 1e-7);
        assertEquals(0.3 / 5, all.of(TokenClass.GENERATED)[0][0], 1e-7);

        ClassShares text = ClassShares.of(handMade(), FIVE, ClassShares.queries(FIVE, ClassShares.Rows.TEXT));
        assertArrayEquals(new int[] {0, 1}, text.queries(), "SYSTEM and TEXT rows");
        assertEquals(0.75, text.of(TokenClass.SYSTEM)[0][0], 1e-7);
        ClassShares answer = ClassShares.of(handMade(), FIVE, ClassShares.queries(FIVE, ClassShares.Rows.GENERATED));
        assertEquals(0.4, answer.of(TokenClass.IMAGE)[0][0], 1e-7);
        assertArrayEquals(new double[] {0.1, 0.2, 0.4, 0.3}, answer.perLayer()[0], 1e-7);
    }

    /**
     * On the hand-wired reader the generated rows of the BOS head go to SYSTEM, of the marker head to IMAGE, of the
     * self head to GENERATED; every head's shares sum to 1.
     */
    @Test
    void eachHeadOfTheReaderLooksAtItsClass() {
        JoinedSequence s = ImageReaderModel.sequence(2, 3, 4, 5, 2, 3);
        AttentionMaps maps = ClassShares.attention(s);
        ClassShares shares = ClassShares.of(maps, s.classes(), ClassShares.queries(s.classes(), ClassShares.Rows.GENERATED));
        assertEquals(1, shares.of(TokenClass.SYSTEM)[0][0], 1e-6);
        assertEquals(1, shares.of(TokenClass.IMAGE)[0][1], 1e-6);
        assertEquals(1, shares.of(TokenClass.GENERATED)[0][2], 1e-6);
        ClassShares all = ClassShares.compute(s, ClassShares.Rows.ALL);
        for (int h = 0; h < 3; h++) {
            double sum = 0;
            for (TokenClass c : TokenClass.values()) {
                sum += all.of(c)[0][h];
            }
            assertEquals(1, sum, 1e-6, "head " + h);
        }
        double[][] grid = PatchAttention.grid(maps, s.classes(), 0, 1, s.length() - 1);
        assertEquals(3, grid.length);
        assertEquals(4, grid[0].length);
        assertEquals(1, grid[1][1], 1e-6, "grid index 5 is row 1, column 1");
        double[][] mean = PatchAttention.grid(maps, s.classes(), 0, PatchAttention.MEAN_OF_HEADS, s.length() - 1);
        assertEquals(1 / 3.0, mean[1][1], 1e-6);
    }

    @Test
    void mismatchedInputsAreOneLineErrors() {
        assertThrows(HeadwiseException.class, () -> ClassShares.of(handMade(), TokenClasses.textOnly(4), new int[] {0}));
        assertThrows(HeadwiseException.class, () -> ClassShares.of(handMade(), FIVE, new int[] {5}));
        assertThrows(HeadwiseException.class, () -> PatchAttention.grid(handMade(), TokenClasses.textOnly(5), 0, 0, 4));
    }
}
