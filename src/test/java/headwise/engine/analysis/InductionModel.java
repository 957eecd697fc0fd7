package headwise.engine.analysis;

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
 * A hand-wired two-layer, two-head, attention-only transformer of known behaviour (MLPs zero, RMSNorm with unit
 * gain, no final norm, output = last hidden state).
 * <p>
 * Residual channels: token one-hot [0, V), position one-hot [V, V+P), and S [V+P, V+P+V), where layer 0 writes the
 * previous token's one-hot. Every token of layer 0's input has two ones, so RMSNorm scales all of them alike.
 * <ul>
 * <li>L0H0 previous-token head: q at position p reads dim p−1, k at p reads dim p; its value copies the token into S.</li>
 * <li>L0H1 first-token sink: every query matches key position 0 only.</li>
 * <li>L1H0 induction head: q = current token, k = S (the token before the key), plus a weaker match to the BOS
 * token where it rests when nothing matches.</li>
 * <li>L1H1 duplicate-token head: q = k = current token, the diagonal penalised, the same BOS fallback.</li>
 * </ul>
 */
final class InductionModel {

    static final int VOCAB = 16;
    static final int BOS = 15;
    static final int POSITIONS = 24;
    static final int D = VOCAB + POSITIONS + VOCAB;
    static final int HEADS = 2;
    static final int D_HEAD = 48;

    private static final int POS = VOCAB;
    private static final int S = VOCAB + POSITIONS;

    private InductionModel() {
    }

    static ModelSpec spec() {
        return new ModelSpec("test", "HandWiredInduction", 2, HEADS, HEADS, D, D_HEAD, 4, VOCAB, POSITIONS, true,
                ModelSpec.Norm.RMS_NORM, false, 1e-6, ModelSpec.Activation.RELU, ModelSpec.Output.HIDDEN_STATE,
                null, 0, null);
    }

    static Transformer transformer() {
        int width = HEADS * D_HEAD;
        float[][] tokenEmbed = new float[VOCAB][D];
        for (int t = 0; t < VOCAB; t++) {
            tokenEmbed[t][t] = 1;
        }
        float[][] positionEmbed = new float[POSITIONS][D];
        for (int p = 0; p < POSITIONS; p++) {
            positionEmbed[p][POS + p] = 1;
        }
        double sqrtDHead = Math.sqrt(D_HEAD);

        // layer 0: two ones per token, RMSNorm makes them sqrt(D/2); unit weights give scores of D/2/sqrt(dHead)
        double unit0 = D / 2.0 / sqrtDHead;
        float c = (float) Math.sqrt(25 / unit0); // match score 25
        float[][] q0 = new float[D][width];
        float[][] k0 = new float[D][width];
        float[][] v0 = new float[D][width];
        float[][] o0 = new float[width][D];
        for (int p = 0; p < POSITIONS; p++) {
            if (p >= 1) {
                q0[POS + p][p - 1] = c; // head 0: query at p looks for key p − 1
            }
            k0[POS + p][p] = c;
            q0[POS + p][D_HEAD] = c; // head 1: every query looks for position 0
        }
        k0[POS][D_HEAD] = c;
        float xhat0 = (float) Math.sqrt(D / 2.0);
        for (int t = 0; t < VOCAB; t++) {
            v0[t][t] = 1; // head 0 copies the attended token ...
            o0[t][S + t] = 1 / xhat0; // ... into S, as a one-hot of about 1
        }

        // layer 1: three ones per token, RMSNorm makes them sqrt(D/3)
        double unit1 = D / 3.0 / sqrtDHead;
        float a = (float) Math.sqrt(30 / unit1); // match score 30
        float b = (float) Math.sqrt(12 / unit1); // BOS fallback 12
        float e = (float) Math.sqrt(45 / unit1); // diagonal penalty 45
        int bosDim = VOCAB;
        int selfDim = VOCAB + 1;
        float[][] q1 = new float[D][width];
        float[][] k1 = new float[D][width];
        for (int t = 0; t < VOCAB; t++) {
            q1[t][t] = a; // head 0 (induction): current token ...
            k1[S + t][t] = a; // ... against the token before the key
            q1[t][D_HEAD + t] = a; // head 1 (duplicate): current token against the key's token
            k1[t][D_HEAD + t] = a;
        }
        for (int p = 0; p < POSITIONS; p++) {
            for (int h = 0; h < HEADS; h++) {
                q1[POS + p][h * D_HEAD + bosDim] = b; // every query ...
            }
            q1[POS + p][D_HEAD + selfDim + p] = e; // head 1: its own position ...
            k1[POS + p][D_HEAD + selfDim + p] = -e; // ... is penalised
        }
        for (int h = 0; h < HEADS; h++) {
            k1[BOS][h * D_HEAD + bosDim] = b; // ... weakly matches the BOS token
        }

        List<LayerWeights> layers = List.of(
                layer(q0, k0, v0, o0),
                layer(q1, k1, new float[D][width], new float[width][D]));
        ModelWeights weights = new ModelWeights(matrix(tokenEmbed), matrix(positionEmbed), null, null, layers, null, null, null);
        return new Transformer(spec(), weights);
    }

    static LoadedModel loaded() {
        return new LoadedModel("hand-wired-induction", Path.of("."), transformer(), null, file -> {
            throw new IllegalStateException("no tokenizer");
        });
    }

    private static LayerWeights layer(float[][] q, float[][] k, float[][] v, float[][] o) {
        NormWeights norm = new NormWeights(Nd4j.ones(DataType.FLOAT, D), null);
        return new LayerWeights(norm, new Linear(matrix(q), null), new Linear(matrix(k), null), new Linear(matrix(v), null),
                new Linear(matrix(o), null), norm, new Linear(Nd4j.zeros(DataType.FLOAT, D, 4), null), null,
                new Linear(Nd4j.zeros(DataType.FLOAT, 4, D), null));
    }

    private static INDArray matrix(float[][] m) {
        return Nd4j.create(m).castTo(DataType.FLOAT);
    }
}
