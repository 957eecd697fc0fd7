package headwise.engine.analysis.heads;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * A hand-wired one-layer, four-head causal language model (MLP zero, RMSNorm with unit gain and ε = 0, no final
 * norm). Residual channels: token one-hot [0, V), position one-hot [V, V+P), copy area [V+P, D). Every input row
 * has two ones, so RMSNorm scales them by sqrt(D/2) = 6; a match scores 40, anything else 0, so a head puts all but
 * e^−40 of its attention on its match.
 * <ul>
 * <li>head 0 (copy): the query at position p attends to key p − {@code offset} and copies its token into the copy
 * area, which the unembedding reads as logits: the model predicts the token {@code offset} positions back.</li>
 * <li>head 1 (off by one): attends to key p − offset − 1; its output is not read.</li>
 * <li>head 2 (sink): attends to position 0.</li>
 * <li>head 3 (marker): attends to the token {@link #MARK} wherever it is (uniform when there is none).</li>
 * </ul>
 * Every head's value is the attended token's one-hot (times 6), so z tells which token a head read.
 */
final class FourHeadModel {

    static final int VOCAB = 16;
    static final int MARK = 15;
    static final int POSITIONS = 40;
    static final int D = VOCAB + POSITIONS + VOCAB; // 72
    static final int D_HEAD = 40;
    static final int HEADS = 4;

    private FourHeadModel() {
    }

    static Transformer transformer(int offset) {
        int width = HEADS * D_HEAD;
        float[][] tokenEmbed = new float[VOCAB][D];
        for (int t = 0; t < VOCAB; t++) {
            tokenEmbed[t][t] = 1;
        }
        float[][] positionEmbed = new float[POSITIONS][D];
        for (int p = 0; p < POSITIONS; p++) {
            positionEmbed[p][VOCAB + p] = 1;
        }
        float c = (float) Math.sqrt(40 * Math.sqrt(D_HEAD) / 36.0); // (6c)² / sqrt(dHead) = 40
        float[][] q = new float[D][width];
        float[][] k = new float[D][width];
        float[][] v = new float[D][width];
        float[][] o = new float[width][D];
        int pos = VOCAB;
        for (int p = 0; p < POSITIONS; p++) {
            if (p - offset >= 0) {
                q[pos + p][p - offset] = c; // head 0
            }
            if (p - offset - 1 >= 0) {
                q[pos + p][D_HEAD + p - offset - 1] = c; // head 1
            }
            k[pos + p][p] = c;
            k[pos + p][D_HEAD + p] = c;
            q[pos + p][2 * D_HEAD] = c; // head 2 looks for position 0 ...
            q[pos + p][3 * D_HEAD] = c; // head 3 looks for the marker token
        }
        k[pos][2 * D_HEAD] = c;
        k[MARK][3 * D_HEAD] = c;
        for (int h = 0; h < HEADS; h++) {
            for (int t = 0; t < VOCAB; t++) {
                v[t][h * D_HEAD + t] = 1;
            }
        }
        float[][] unembed = new float[D][VOCAB];
        for (int t = 0; t < VOCAB; t++) {
            o[t][VOCAB + POSITIONS + t] = 1; // head 0 only
            unembed[VOCAB + POSITIONS + t][t] = 1;
        }
        NormWeights norm = new NormWeights(Nd4j.ones(DataType.FLOAT, D), null);
        LayerWeights layer = new LayerWeights(norm, new Linear(matrix(q), null), new Linear(matrix(k), null),
                new Linear(matrix(v), null), new Linear(matrix(o), null), norm,
                new Linear(Nd4j.zeros(DataType.FLOAT, D, 4), null), null, new Linear(Nd4j.zeros(DataType.FLOAT, 4, D), null));
        ModelSpec spec = new ModelSpec("test", "HandWiredFourHeads", 1, HEADS, HEADS, D, D_HEAD, 4, VOCAB, POSITIONS, true,
                ModelSpec.Norm.RMS_NORM, false, 0, ModelSpec.Activation.RELU, ModelSpec.Output.LM_LOGITS, null, 0, null);
        ModelWeights weights = new ModelWeights(matrix(tokenEmbed), matrix(positionEmbed), null, null, List.of(layer), null,
                new Linear(matrix(unembed), null), null);
        return new Transformer(spec, weights);
    }

    private static INDArray matrix(float[][] m) {
        return Nd4j.create(m).castTo(DataType.FLOAT);
    }
}
