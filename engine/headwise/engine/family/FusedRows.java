package headwise.engine.family;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/** Pieces of fused checkpoint tensors (Phi-3's qkv_proj and gate_up_proj, GPT-NeoX's query_key_value). */
final class FusedRows {

    private FusedRows() {
    }

    /**
     * Rows [from, to) of a fused Linear weight [out, in], as the canonical [in, to − from]; of a fused bias [out],
     * as elements [from, to).
     */
    static INDArray rows(INDArray fused, long from, long to) {
        return fused.rank() == 1 ? fused.get(interval(from, to)).dup()
                : fused.get(interval(from, to), all()).transpose().dup('c');
    }

    /**
     * Part {@code part} of {@code parts} from a weight (or bias) whose rows are grouped per head: head h's rows are
     * [h·parts·dHead, (h+1)·parts·dHead), part p of them [p·dHead, (p+1)·dHead) (GPT-NeoX: heads × [q; k; v]).
     * Returned canonical: [in, heads·dHead] (bias: [heads·dHead]).
     */
    static INDArray perHead(INDArray fused, int heads, int dHead, int part, int parts) {
        INDArray[] pieces = new INDArray[heads];
        for (int h = 0; h < heads; h++) {
            long from = ((long) h * parts + part) * dHead;
            pieces[h] = fused.rank() == 1 ? fused.get(interval(from, from + dHead))
                    : fused.get(interval(from, from + dHead), all());
        }
        INDArray stacked = Nd4j.concat(0, pieces);
        return fused.rank() == 1 ? stacked.dup() : stacked.transpose().dup('c');
    }
}
