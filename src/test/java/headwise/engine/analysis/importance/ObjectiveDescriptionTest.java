package headwise.engine.analysis.importance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An objective's words say when a joined input's image positions are left out of the loss. */
class ObjectiveDescriptionTest {

    private static final int[] TEXT = {5, 8, 13, 21};
    /** A joined input's targets: the image positions are {@link LossTargets#NONE}. */
    private static final int[] JOINED = {5, LossTargets.NONE, LossTargets.NONE, 13, 21};

    @Test
    void nllOverTextAloneIsPlain() {
        assertEquals("mean next-token NLL", Objective.nextTokenNll().describe(TEXT));
        assertEquals("mean next-token NLL", Objective.nextTokenNll().describe(null));
        assertEquals("mean own-token NLL", new Objective(Objective.Kind.SAME_TOKEN_NLL, -1, -1).describe(TEXT));
    }

    @Test
    void nllOfAJoinedInputSaysImagePositionsAreLeftOut() {
        assertEquals("mean next-token NLL over text targets (image positions left out)", Objective.nextTokenNll().describe(JOINED));
    }

    @Test
    void objectivesWithoutTargetsIgnoreThem() {
        assertEquals("log p(class 3)", Objective.classLogProb(3).describe(JOINED));
        assertEquals("output 7 at position 2", Objective.outputEntry(2, 7).describe(JOINED));
        assertEquals("sum of the final hidden state at position 0", Objective.hiddenSum(0).describe(null));
    }
}
