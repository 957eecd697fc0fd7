package headwise.engine.model;

import headwise.engine.Fixtures;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/** One GEMM on the fused weights gives q, k and v side by side, biases included (GPT-2) and grouped (Llama). */
class FusedQkvTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_f32", "llama_f32"})
    void theFusedProjectionIsQKAndVSideBySide(String fixture) {
        try (LoadedModel model = ModelLoader.load(Fixtures.model(fixture).toString())) {
            ModelSpec spec = model.spec();
            ModelWeights weights = model.transformer().weights();
            FusedQkv fused = new FusedQkv(weights);
            long qWidth = (long) spec.heads() * spec.dHead();
            long kvWidth = (long) spec.kvHeads() * spec.dHead();
            INDArray x = Nd4j.rand(DataType.FLOAT, 5, spec.dModel());
            for (int l = 0; l < spec.layers(); l++) {
                ModelWeights.LayerWeights w = weights.layers().get(l);
                ModelWeights.Linear qkv = fused.of(l);
                assertSame(qkv, fused.of(l), "built once");
                assertArrayEquals(new long[] {spec.dModel(), qWidth + 2 * kvWidth}, qkv.weight().shape());
                INDArray together = Ops.linear(x, qkv);
                assertClose(Ops.linear(x, w.q()), together.get(all(), interval(0, qWidth)), fixture + " q " + l);
                assertClose(Ops.linear(x, w.k()), together.get(all(), interval(qWidth, qWidth + kvWidth)), fixture + " k " + l);
                assertClose(Ops.linear(x, w.v()), together.get(all(), interval(qWidth + kvWidth, qWidth + 2 * kvWidth)), fixture + " v " + l);
            }
            assertNull(new FusedQkv(weights, 1000).of(0), "over the budget: q, k and v run apart");
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(Ops.floats(expected), Ops.floats(actual), 1e-5f, what);
    }
}
