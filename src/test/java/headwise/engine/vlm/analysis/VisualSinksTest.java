package headwise.engine.vlm.analysis;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny Llama fixture (d = 64, 3 layers) on a joined sequence of unit-normal embeddings: BOS, 2 text, a 3×3 image,
 * 3 text. BOS and the image token at grid (1, 2) get 40 in channel 7; the fixture's small random weights leave the
 * residual close to the embeddings, so φ ≈ 40/sqrt(mean x²) ≈ 7.8 there and below 5 everywhere else.
 */
public class VisualSinksTest {

    static final int CHANNEL = 7;
    static final int SINK_POSITION = 3 + 5; // image starts at 3; grid index 5 = row 1, column 2
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Fixtures.model("llama_f32").toString());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    public static JoinedSequence sequence(Transformer decoder) {
        int t = 15;
        int d = 64;
        Random random = new Random(5);
        float[] x = new float[t * d];
        for (int n = 0; n < x.length; n++) {
            x[n] = (float) random.nextGaussian();
        }
        x[CHANNEL] = 40;
        x[SINK_POSITION * d + CHANNEL] = 40;
        TokenClass[] classes = new TokenClass[t];
        Arrays.fill(classes, TokenClass.TEXT);
        classes[0] = TokenClass.SYSTEM;
        Arrays.fill(classes, 3, 12, TokenClass.IMAGE);
        INDArray embedded = Ops.fromFloats(x, 1, t, d);
        return new JoinedSequence(decoder, embedded, new TokenClasses(classes, 3, 3, 3));
    }

    @Test
    void theMassiveImageTokenIsTheOneVisualSink() {
        JoinedSequence s = sequence(model.transformer());
        VisualSinks sinks = VisualSinks.find(s, VisualSinks.Options.defaults().withTau(5));
        assertArrayEquals(new int[] {CHANNEL}, sinks.dimensions(), "read off BOS");
        assertEquals(1, sinks.sinks().size(), sinks.sinks().toString());
        VisualSinks.VisualSink sink = sinks.sinks().get(0);
        assertEquals(SINK_POSITION, sink.position());
        assertEquals(1, sink.row());
        assertEquals(2, sink.col());
        assertEquals(1, sink.layers(), "layer 2 only is counted (from layer 2)");
        assertTrue(sink.score() > 7 && sink.score() < 8, "score " + sink.score());
        float[] row = Ops.floats(s.embedded());
        double sq = 0;
        for (int c = 0; c < 64; c++) {
            sq += (double) row[SINK_POSITION * 64 + c] * row[SINK_POSITION * 64 + c];
        }
        assertEquals(40 / Math.sqrt(sq / 64 + 1e-6), sinks.phi()[0][SINK_POSITION], 1e-5, "layer 0's input is the embedding");
        assertArrayEquals(new int[] {SINK_POSITION}, sinks.imageSinksAt(1, s.classes()));
        for (int p = 0; p < s.length(); p++) {
            if (p != 0 && p != SINK_POSITION) {
                assertTrue(sinks.phi()[2][p] < 5, "position " + p + ": " + sinks.phi()[2][p]);
            }
        }
    }

    @Test
    void knownDimensionsReplaceTheSearch() {
        VisualSinks other = VisualSinks.find(sequence(model.transformer()), VisualSinks.Options.defaults().withTau(5).withDimensions(new int[] {8}));
        assertArrayEquals(new int[] {8}, other.dimensions());
        assertTrue(other.sinks().isEmpty());
        assertThrows(HeadwiseException.class,
                () -> VisualSinks.find(sequence(model.transformer()), VisualSinks.Options.defaults().withDimensions(new int[] {64})));
        assertThrows(HeadwiseException.class, () -> VisualSinks.find(sequence(model.transformer()), VisualSinks.Options.defaults().withFromLayer(3)));
    }
}
