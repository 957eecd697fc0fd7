package headwise.engine.vlm.analysis;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.TokenClasses.TokenClass;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * A hand-wired one-layer, three-head rotary decoder that reads a joined sequence whose embeddings the test chooses
 * (MLP zero, RMSNorm with unit gain and ε = 0, no final norm). RoPE θ = 1e12 and every head matches in its rotary pairs
 * 2..7 (frequencies ≤ 1e-3), so matching is by content, whatever the positions.
 * Residual channels: 0 bias (every row), 1 BOS, 2 marked image token, 3 image, 4..15 text identities, 32..47 the
 * output area the unembedding reads. Every row has two ones (the marked image token three), so a match scores about 40.
 * <ul>
 * <li>head 0 (BOS): every query attends to BOS;</li>
 * <li>head 1 (marker): attends to the marked image token (uniform when there is none); its value, the key's flags, is
 * the only thing written to the logits, the marker flag twice: with the marker the prediction is token 2;</li>
 * <li>head 2 (self): a text token attends to itself (its identity); image and BOS queries spread uniformly.</li>
 * </ul>
 * Every head's value is the key's channels 1..15, so z tells which token a head read.
 */
public final class ImageReaderModel {

    static final int D = 48;
    static final int HEADS = 3;
    static final int D_HEAD = 16;
    static final int VOCAB = 16;
    static final int MARK = 2;
    static final int IMAGE = 3;
    private static final int[] SLOW_DIMS = {2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15};

    private ImageReaderModel() {
    }

    public static Transformer transformer() {
        int width = HEADS * D_HEAD;
        float c = (float) Math.sqrt(4 * 40 / 24.0); // (sqrt(24)·c)² / sqrt(16) = 40
        float[][] q = new float[D][width];
        float[][] k = new float[D][width];
        float[][] v = new float[D][width];
        float[][] o = new float[width][D];
        q[0][2] = c; // head 0: the bias looks for BOS
        k[1][2] = c;
        q[0][D_HEAD + 2] = c; // head 1: the bias looks for the marker
        k[MARK][D_HEAD + 2] = c;
        for (int id = 0; id < SLOW_DIMS.length; id++) { // head 2: identity meets identity
            q[4 + id][2 * D_HEAD + SLOW_DIMS[id]] = c;
            k[4 + id][2 * D_HEAD + SLOW_DIMS[id]] = c;
        }
        for (int h = 0; h < HEADS; h++) {
            for (int ch = 1; ch < VOCAB; ch++) {
                v[ch][h * D_HEAD + ch] = 1;
            }
        }
        float[][] unembed = new float[D][VOCAB];
        for (int t = 1; t < VOCAB; t++) {
            o[D_HEAD + t][32 + t] = t == MARK ? 2 : 1; // head 1 only
            unembed[32 + t][t] = 1;
        }
        NormWeights norm = new NormWeights(Nd4j.ones(DataType.FLOAT, D), null);
        LayerWeights layer = new LayerWeights(norm, new Linear(matrix(q), null), new Linear(matrix(k), null),
                new Linear(matrix(v), null), new Linear(matrix(o), null), norm,
                new Linear(Nd4j.zeros(DataType.FLOAT, D, 4), null), null, new Linear(Nd4j.zeros(DataType.FLOAT, 4, D), null));
        ModelSpec spec = new ModelSpec("test", "HandWiredImageReader", 1, HEADS, HEADS, D, D_HEAD, 4, VOCAB, 64, true,
                ModelSpec.Norm.RMS_NORM, false, 0, ModelSpec.Activation.RELU, ModelSpec.Output.LM_LOGITS,
                new ModelSpec.Rope(1e12, ModelSpec.RopeLayout.ROTATE_HALF, null), 0, null);
        ModelWeights weights = new ModelWeights(matrix(new float[VOCAB][D]), null, null, null, List.of(layer), null,
                new Linear(matrix(unembed), null), null);
        return new Transformer(spec, weights);
    }

    /**
     * BOS, {@code before} text tokens, a rows×cols image (the token at grid index {@code marked} marked; −1 for none),
     * then {@code afterText} text and {@code generated} generated tokens; text identities count up from 0 (at most 12).
     */
    public static JoinedSequence sequence(int before, int rows, int cols, int marked, int afterText, int generated) {
        int images = rows * cols;
        int t = 1 + before + images + afterText + generated;
        float[] x = new float[t * D];
        TokenClass[] classes = new TokenClass[t];
        classes[0] = TokenClass.SYSTEM;
        x[0] = 1;
        x[1] = 1;
        int id = 0;
        for (int p = 1; p < t; p++) {
            x[p * D] = 1;
            boolean image = p > before && p <= before + images;
            if (image) {
                classes[p] = TokenClass.IMAGE;
                x[p * D + IMAGE] = 1;
                if (p - before - 1 == marked) {
                    x[p * D + MARK] = 1;
                }
            } else {
                classes[p] = p > before + images + afterText ? TokenClass.GENERATED : TokenClass.TEXT;
                x[p * D + 4 + id++] = 1;
            }
        }
        INDArray embedded = Ops.fromFloats(x, 1, t, D);
        return new JoinedSequence(transformer(), embedded, new TokenClasses(classes, 1 + before, rows, cols));
    }

    private static INDArray matrix(float[][] m) {
        return Nd4j.create(m).castTo(DataType.FLOAT);
    }
}
