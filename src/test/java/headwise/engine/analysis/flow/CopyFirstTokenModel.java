package headwise.engine.analysis.flow;

import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

/**
 * A hand-wired one-layer, one-head causal transformer whose head copies token 0 into every position; the MLP is zero
 * and the output is the last hidden state.
 * <p>
 * Residual channels: token one-hot [0, V), position one-hot [V, V+P), copy area [V+P, D). Every input row has two
 * ones, so RMSNorm (unit gain, ε = 0) scales them by sqrt(D/2) = {@value #SCALE}. The query bias and the key of
 * position 0 give key 0 a score of about 40 and every other key 0, so α_i0 = 1 up to e^−40. The value copies the
 * token one-hot and the output projection writes it into the copy area: f(x_j) = 4·e_{V+P+tok_j}, whose support
 * is disjoint from x_i's. So y_i = x_i + f(x_0) and, with L1 norms 4 and 2, the head's contribution from token 0 is
 * 4 / (4 + 2 + ε·i) and the residual's 2 / (6 + ε·i) (the i other keys add ε = 1e-5 each).
 */
final class CopyFirstTokenModel {

    static final int VOCAB = 8;
    static final int POSITIONS = 16;
    static final int D = VOCAB + POSITIONS + VOCAB; // 32
    static final int D_HEAD = 8;
    static final float SCALE = 4; // sqrt(D / 2)

    private CopyFirstTokenModel() {
    }

    static ModelSpec spec() {
        return new ModelSpec("test", "HandWiredCopyFirst", 1, 1, 1, D, D_HEAD, 4, VOCAB, POSITIONS, true,
                ModelSpec.Norm.RMS_NORM, false, 0, ModelSpec.Activation.RELU, ModelSpec.Output.HIDDEN_STATE,
                null, 0, null);
    }

    static LoadedModel loaded() {
        float[][] tokenEmbed = new float[VOCAB][D];
        for (int t = 0; t < VOCAB; t++) {
            tokenEmbed[t][t] = 1;
        }
        float[][] positionEmbed = new float[POSITIONS][D];
        for (int p = 0; p < POSITIONS; p++) {
            positionEmbed[p][VOCAB + p] = 1;
        }
        // score_i0 = c · (SCALE · c) / sqrt(dHead) = 40
        float c = (float) Math.sqrt(40 * Math.sqrt(D_HEAD) / SCALE);
        float[] qBias = new float[D_HEAD];
        qBias[0] = c;
        float[][] k = new float[D][D_HEAD];
        k[VOCAB][0] = c; // position 0
        float[][] v = new float[D][D_HEAD];
        float[][] o = new float[D_HEAD][D];
        for (int t = 0; t < VOCAB; t++) {
            v[t][t] = 1;
            o[t][VOCAB + POSITIONS + t] = 1;
        }
        NormWeights norm = new NormWeights(Nd4j.ones(DataType.FLOAT, D), null);
        LayerWeights layer = new LayerWeights(norm,
                new Linear(Nd4j.zeros(DataType.FLOAT, D, D_HEAD), Nd4j.create(qBias)),
                new Linear(matrix(k), null), new Linear(matrix(v), null), new Linear(matrix(o), null), norm,
                new Linear(Nd4j.zeros(DataType.FLOAT, D, 4), null), null, new Linear(Nd4j.zeros(DataType.FLOAT, 4, D), null));
        ModelWeights weights = new ModelWeights(matrix(tokenEmbed), matrix(positionEmbed), null, null, List.of(layer),
                null, null, null);
        return new LoadedModel("hand-wired-copy-first", Path.of("."), new Transformer(spec(), weights), null, file -> {
            throw new IllegalStateException("no tokenizer");
        });
    }

    private static INDArray matrix(float[][] m) {
        return Nd4j.create(m).castTo(DataType.FLOAT);
    }
}
