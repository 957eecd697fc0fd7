package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A run's logits memory handed back is reused by the next run of the same size, and only then. */
class SpareOutputTest {

    @Test
    void keptMemoryIsReusedForTheSameSizeOnly() {
        SpareOutput spare = new SpareOutput();
        INDArray first = spare.take(3, 5);
        spare.keep(first.reshape(1, 3, 5)); // a run hands back its [1, T, V] view
        INDArray second = spare.take(5, 3);
        assertSame(first.data(), second.data(), "same element count: same memory");
        assertEquals(5, second.rows());
        assertEquals(3, second.columns());
        spare.keep(second);
        INDArray third = spare.take(4, 4);
        assertNotSame(second.data(), third.data(), "another size: new memory");
    }

    @Test
    void memoryItDidNotHandOutIsNeverKept() {
        SpareOutput spare = new SpareOutput();
        INDArray lent = spare.take(2, 2);
        INDArray foreign = Nd4j.createUninitialized(DataType.FLOAT, 2, 2);
        spare.keep(foreign); // e.g. a bare encoder's hidden state, which a hook may hold
        assertNotSame(foreign.data(), spare.take(2, 2).data());
        spare.keep(lent); // no longer the last one lent
        assertNotSame(lent.data(), spare.take(2, 2).data());
    }

    @Test
    void analysesOfTheSameLengthReuseTheLogitsMemoryWithoutChangingEarlierResults() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            int[] ids = Fixtures.inputIds("gpt2_f32");
            int[] other = ids.clone();
            for (int i = 0; i < other.length; i++) {
                other[i] = (other[i] * 7 + 3) % model.spec().vocabSize();
            }
            AnalysisResult a = Analyzer.analyze(model, ModelInput.fromIds(model, ids));
            assertEquals(4L * ids.length * model.spec().vocabSize(), model.transformer().spareOutput.keptBytes(),
                    "the analysis handed its logits memory back");
            float[] aBefore = a.output().values().clone();
            AnalysisResult b = Analyzer.analyze(model, ModelInput.fromIds(model, other));
            AnalysisResult again = Analyzer.analyze(model, ModelInput.fromIds(model, ids));
            assertArrayEquals(aBefore, a.output().values(), "a result is a copy: later runs do not touch it");
            assertArrayEquals(aBefore, again.output().values(), "the reused memory gives the same logits");
            assertArrayEquals(Fixtures.reference("gpt2_f32", "output.npy").values(), again.output().values(), 1e-5f);
            float[] fresh = model.transformer().run(new int[][] {other}, Hooks.none()).output().dup('c').data().asFloat();
            assertArrayEquals(fresh, b.output().values());

            // a hook that keeps the logits keeps them intact: the run's memory is not handed back then
            Hooks keep = Hooks.none();
            INDArray[] held = new INDArray[1];
            keep.intervene(HookNames.LOGITS, x -> held[0] = x);
            Analyzer.analyze(model, ModelInput.fromIds(model, ids), keep);
            assertEquals(0, model.transformer().spareOutput.keptBytes(), "held by the hook: not handed back");
            float[] heldValues = held[0].dup('c').data().asFloat();
            Analyzer.analyze(model, ModelInput.fromIds(model, other));
            assertArrayEquals(heldValues, held[0].dup('c').data().asFloat());
            assertArrayEquals(aBefore, heldValues);
        }
    }
}
