package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The options a run carries: defaults, copies that change one thing, refused values, and a model that keeps them. */
class ForwardOptionsTest {

    @Test
    void defaultsAndCopies() {
        ForwardOptions d = ForwardOptions.defaults();
        assertEquals(new ForwardOptions(128, 64L << 20, true, ForwardOptions.AttentionStorage.AUTO), d);
        assertEquals(new ForwardOptions(3, 64L << 20, true, ForwardOptions.AttentionStorage.AUTO), d.withQueryBlock(3));
        assertEquals(new ForwardOptions(128, 5, true, ForwardOptions.AttentionStorage.AUTO), d.withMaxWholeScores(5));
        assertEquals(new ForwardOptions(128, 64L << 20, false, ForwardOptions.AttentionStorage.AUTO), d.withBlockArena(false));
        assertEquals(new ForwardOptions(128, 64L << 20, true, ForwardOptions.AttentionStorage.F16),
                d.withAttentionStorage(ForwardOptions.AttentionStorage.F16));
        assertEquals(ForwardOptions.defaults(), d, "copies leave the original alone");
    }

    @Test
    void impossibleValuesAreRefused() {
        assertThrows(HeadwiseException.class, () -> ForwardOptions.defaults().withQueryBlock(0));
        assertThrows(HeadwiseException.class, () -> ForwardOptions.defaults().withMaxWholeScores(0));
        assertThrows(HeadwiseException.class, () -> ForwardOptions.defaults().withAttentionStorage(null));
    }

    @Test
    void aModelWithOtherOptionsSharesTheWeightsAndComputesTheSame() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ForwardOptions noArena = ForwardOptions.defaults().withBlockArena(false);
            LoadedModel other = model.withOptions(noArena);
            assertEquals(ForwardOptions.defaults(), model.transformer().options());
            assertEquals(noArena, other.transformer().options());
            assertSame(model.transformer().weights(), other.transformer().weights());
            int[][] ids = {Fixtures.inputIds("gpt2_f32")};
            float[] inArena = model.transformer().run(ids, Hooks.none()).output().dup('c').data().asFloat();
            float[] without = other.transformer().run(ids, Hooks.none()).output().dup('c').data().asFloat();
            assertArrayEquals(inArena, without, "the arena changes where temporaries live, not what they hold");
        }
    }
}
