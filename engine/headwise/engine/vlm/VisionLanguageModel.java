package headwise.engine.vlm;

import headwise.engine.HeadwiseException;
import headwise.engine.family.LlavaCheckpoint;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.image.ImageInput;
import headwise.engine.image.PatchEmbedding;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.Ops;
import headwise.engine.model.Transformer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * A LLaVA-style vision-language model: the vision tower (a ViT-like {@link Transformer}) turns the image into hidden
 * states, the chosen layer's patches (CLS too for 'full') go through the two-layer projector into the decoder's
 * width, and they take the place of the one image token in the text's embeddings. The decoder then runs on the
 * joined sequence through {@link Transformer#runFromEmbeddings}, so every hook and analysis of a text model applies.
 */
public final class VisionLanguageModel {

    private final Transformer decoder;
    private final Transformer tower;
    private final Linear projectorIn;
    private final Linear projectorOut;
    private final ModelSpec.Activation projectorActivation;
    private final int[] featureLayers;
    private final boolean keepClassToken;
    private final int imageTokenId;
    private final PreprocessorConfig preprocessor;

    private VisionLanguageModel(Transformer decoder, Transformer tower, Linear projectorIn, Linear projectorOut,
                                ModelSpec.Activation projectorActivation, int[] featureLayers, boolean keepClassToken,
                                int imageTokenId, PreprocessorConfig preprocessor) {
        this.decoder = decoder;
        this.tower = tower;
        this.projectorIn = projectorIn;
        this.projectorOut = projectorOut;
        this.projectorActivation = projectorActivation;
        this.featureLayers = featureLayers.clone();
        this.keepClassToken = keepClassToken;
        this.imageTokenId = imageTokenId;
        this.preprocessor = preprocessor;
    }

    /** @param preprocessor how images are prepared for the tower (preprocessor_config.json) */
    public static VisionLanguageModel of(LlavaCheckpoint c, PreprocessorConfig preprocessor) {
        return new VisionLanguageModel(new Transformer(c.textSpec(), c.textWeights()), new Transformer(c.towerSpec(), c.towerWeights()),
                c.projectorIn(), c.projectorOut(), c.projectorActivation(), c.featureLayers(), c.keepClassToken(), c.imageTokenId(),
                preprocessor);
    }

    /** The same model (weights shared) with both transformers running with {@code options}. */
    public VisionLanguageModel withOptions(ForwardOptions options) {
        return new VisionLanguageModel(decoder.withOptions(options), tower.withOptions(options), projectorIn, projectorOut,
                projectorActivation, featureLayers, keepClassToken, imageTokenId, preprocessor);
    }

    public Transformer decoder() {
        return decoder;
    }

    public Transformer tower() {
        return tower;
    }

    public int imageTokenId() {
        return imageTokenId;
    }

    public PreprocessorConfig preprocessor() {
        return preprocessor;
    }

    /** The tower's own patch grid (its tokens: CLS where it has one, then the patches). */
    public PatchGrid towerGrid() {
        return PatchGrid.trained(tower.spec().vision());
    }

    /** The tower's hidden states the features are read from (0 = the embedding, i = the output of layer i − 1). */
    public int[] featureLayers() {
        return featureLayers.clone();
    }

    /** Whether the image's positions in the decoder start with the tower's CLS ('full' on a tower with CLS). */
    public boolean classTokenInSequence() {
        return keepClassToken && tower.spec().vision().classToken();
    }

    /** Decoder positions one image takes: one per patch, plus the CLS one when kept. */
    public int imagePositions() {
        return towerGrid().patches() + (classTokenInSequence() ? 1 : 0);
    }

    /**
     * Runs the tower on {@code image} (every layer, so hooks see them all, those after the feature layer too) and
     * returns the projected image features [{@link #imagePositions()}, decoder width].
     *
     * @param towerHooks hooks on the tower's run (e.g. an attention capture); not changed
     */
    public INDArray imageFeatures(ImageInput image, Hooks towerHooks) {
        ModelSpec spec = tower.spec();
        if (!image.grid().equals(towerGrid())) {
            throw new HeadwiseException("the image's patch grid " + image.grid().rows() + "x" + image.grid().cols()
                    + " is not the tower's trained " + towerGrid().rows() + "x" + towerGrid().cols());
        }
        int tokens = towerGrid().tokens();
        int d = spec.dModel();
        float[][] picked = new float[featureLayers.length][];
        Hooks hooks = towerHooks.copy();
        for (int i = 0; i < featureLayers.length; i++) {
            int slot = i;
            if (featureLayers[i] < spec.layers()) { // hidden state i is the input of layer i
                hooks.intervene(HookNames.residPre(featureLayers[i]), resid -> {
                    picked[slot] = Ops.floats(resid); // copied to the heap: the block's arena reuses its memory
                    return resid;
                });
            }
        }
        INDArray embedded = PatchEmbedding.embed(spec, tower.weights().vision(), image.pixels(), image.grid());
        INDArray last = tower.runFromEmbeddings(embedded, hooks).output();
        for (int i = 0; i < featureLayers.length; i++) {
            if (featureLayers[i] == spec.layers()) {
                picked[i] = Ops.floats(last);
            }
        }
        int skip = keepClassToken ? 0 : towerGrid().specialTokens();
        int rows = tokens - skip;
        int width = d * featureLayers.length;
        float[] features = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < featureLayers.length; i++) { // concatenated along the channels, in the config's order
                System.arraycopy(picked[i], (r + skip) * d, features, r * width + i * d, d);
            }
        }
        return project(Ops.fromFloats(features, rows, width));
    }

    /** The projector: linear_2(act(linear_1(x))). */
    private INDArray project(INDArray features) {
        INDArray hidden = Ops.linear(features, projectorIn);
        INDArray activated = switch (projectorActivation) {
            case GELU_ERF -> Ops.geluErf(hidden);
            case GELU_TANH -> Ops.geluTanh(hidden);
            case GELU_QUICK -> Ops.geluQuick(hidden);
            case RELU -> Ops.relu(hidden);
            case SILU_GATED, GELU_TANH_GATED -> throw new IllegalStateException("the projector's activation is not gated");
        };
        return Ops.linear(activated, projectorOut);
    }

    /**
     * The decoder's input: the embeddings of {@code ids} with its one image token replaced by {@code features}
     * [{@link #imagePositions()}, d]. Refuses ids without an image token or with more than one.
     */
    public JoinedInput join(int[] ids, INDArray features, String source) {
        int at = imageTokenPosition(ids, source);
        ModelSpec spec = decoder.spec();
        for (int id : ids) {
            if (id < 0 || id >= spec.vocabSize()) {
                throw new HeadwiseException(source + ": token id " + id + " is outside the vocabulary (0.." + (spec.vocabSize() - 1) + ")");
            }
        }
        int images = (int) features.size(0);
        INDArray text = decoder.tokenEmbeddings(new int[][] {ids}); // [ids, d]
        List<INDArray> parts = new ArrayList<>();
        if (at > 0) {
            parts.add(text.get(interval(0, at), all()));
        }
        parts.add(features);
        if (at + 1 < ids.length) {
            parts.add(text.get(interval(at + 1, ids.length), all()));
        }
        INDArray joined = Nd4j.concat(0, parts.toArray(INDArray[]::new));
        int length = ids.length - 1 + images;
        int[] expanded = new int[length];
        int cls = classTokenInSequence() ? 1 : 0;
        for (int p = 0; p < length; p++) {
            boolean image = p >= at && p < at + images;
            expanded[p] = image ? imageTokenId : ids[p < at ? p : p - images + 1];
        }
        // the tower's CLS, when kept, is an image token before the patch grid
        PatchGrid grid = towerGrid();
        TokenClasses tokenClasses = TokenClasses.withImage(length, at, cls, grid.rows(), grid.cols());
        return new JoinedInput(joined.reshape(1, length, spec.dModel()), tokenClasses, expanded, at);
    }

    /** Where the one image token is; a one-line refusal when there is none or more than one. */
    public int imageTokenPosition(int[] ids, String source) {
        int at = -1;
        int count = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == imageTokenId) {
                at = count == 0 ? i : at;
                count++;
            }
        }
        if (count == 0) {
            throw new HeadwiseException(source + ": no image token (id " + imageTokenId + ", e.g. '<image>') in the input; "
                    + "put one where the image goes");
        }
        if (count > 1) {
            throw new HeadwiseException(source + ": " + count + " image tokens (id " + imageTokenId + ") in the input; "
                    + "one image is supported, so give exactly one");
        }
        return at;
    }
}
