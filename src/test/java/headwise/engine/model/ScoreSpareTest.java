package headwise.engine.model;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.Fixtures;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreSpareTest {

    @Test
    void aGivenBackBufferServesTheNextRequestOfItsShapeOnly() {
        INDArray first = ScoreSpare.take(1, 2, 3, 3);
        ScoreSpare.giveBack(first);
        assertTrue(ScoreSpare.holding());
        INDArray other = ScoreSpare.take(1, 2, 3, 4); // another shape: a new array, the spare stays
        assertNotSame(first, other);
        assertSame(first, ScoreSpare.take(1, 2, 3, 3));
        assertFalse(ScoreSpare.holding());
        ScoreSpare.giveBack(other);
        ScoreSpare.release();
        assertFalse(ScoreSpare.holding());
        assertTrue(other.wasClosed(), "release frees the spare's native memory");
        first.close();
    }

    @Test
    void viewsOtherTypesAndOtherPathsArraysAreFreedNotKept() {
        INDArray whole = Nd4j.createUninitialized(DataType.FLOAT, 2, 4, 4);
        ScoreSpare.giveBack(whole.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0))); // a view: not closeable
        assertFalse(ScoreSpare.holding());
        INDArray doubles = Nd4j.createUninitialized(DataType.DOUBLE, 1, 2, 3, 3);
        ScoreSpare.giveBack(doubles);
        assertFalse(ScoreSpare.holding());
        assertTrue(doubles.wasClosed());
        ScoreSpare.take(1, 2, 3, 3).close();
        INDArray notHandedOut = Nd4j.createUninitialized(DataType.FLOAT, 1, 2, 3, 3); // another path's array
        ScoreSpare.giveBack(notHandedOut);
        assertFalse(ScoreSpare.holding());
        assertTrue(notHandedOut.wasClosed());
        whole.close();
    }

    /**
     * Outside the block arena every layer's scores reuse the last layer's buffer: the patterns each layer hands its
     * hook are still its own (equal to the arena run's), and the thread holds no buffer after the run.
     */
    @Test
    void layersOutsideTheArenaShareOneBufferAndComputeTheSame() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[][] ids = {Fixtures.inputIds("gpt2_f32")};
            Transformer noArena = model.transformer().withOptions(ForwardOptions.defaults().withBlockArena(false));
            List<float[]> inArena = patterns(model.transformer(), ids);
            List<float[]> reused = patterns(noArena, ids);
            assertFalse(ScoreSpare.holding(), "the run ended: no buffer held");
            for (int layer = 0; layer < inArena.size(); layer++) {
                assertArrayEquals(inArena.get(layer), reused.get(layer), "layer " + layer);
            }
            List<float[]> again = patterns(noArena, ids);
            for (int layer = 0; layer < again.size(); layer++) {
                assertArrayEquals(reused.get(layer), again.get(layer), "second run, layer " + layer);
            }
        }
    }

    /** Every layer's pattern, copied out by a hook that hands back the same array and keeps no reference (so the buffer is reused). */
    private static List<float[]> patterns(Transformer transformer, int[][] ids) {
        List<float[]> out = new ArrayList<>();
        for (int layer = 0; layer < transformer.spec().layers(); layer++) {
            out.add(null);
        }
        Hooks hooks = Hooks.none();
        for (int layer = 0; layer < out.size(); layer++) {
            int l = layer;
            hooks = hooks.intervene(HookNames.pattern(l), pattern -> { // hands back the same array: an observer
                out.set(l, pattern.dup('c').data().asFloat());
                return pattern;
            });
        }
        transformer.recycleOutput(transformer.run(ids, hooks).output());
        return out;
    }
}
