package headwise.engine.analysis.flow;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * The transformed value vectors f^h(x_j) = (x_j W_V^h + b_V^h) W_O^h of one layer (Kobayashi et al. 2020): what head
 * h writes into the residual stream per unit of attention on token j. The output bias b_O belongs to no head and is
 * left out. With grouped-query attention head h reads key/value head h / (H / kvHeads).
 */
final class HeadOutputs {

    private HeadOutputs() {
    }

    /**
     * @param v [T·kvHeads·dHead] attn.hook_v of one sequence
     * @return [H][T·d] row-major: f^h(x_j) is row j of entry h
     */
    static float[][] of(ModelSpec spec, ModelWeights.LayerWeights w, float[] v, int tokens) {
        int heads = spec.heads();
        int kvHeads = spec.kvHeads();
        int dHead = spec.dHead();
        int group = heads / kvHeads;
        INDArray values = Nd4j.create(v, new long[] {tokens, kvHeads, dHead}, 'c');
        INDArray wo = w.o().weight().castTo(DataType.FLOAT); // [H·dHead, d]
        float[][] out = new float[heads][];
        for (int h = 0; h < heads; h++) {
            INDArray vh = values.get(all(), interval(h / group, h / group + 1), all()).reshape(tokens, dHead);
            INDArray woh = wo.get(interval((long) h * dHead, (long) (h + 1) * dHead), all());
            out[h] = vh.mmul(woh).dup('c').data().asFloat();
        }
        return out;
    }
}
