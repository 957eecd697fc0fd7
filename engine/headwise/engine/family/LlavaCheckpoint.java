package headwise.engine.family;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.Linear;

/**
 * A LLaVA checkpoint's parts, each mapped by its own family: the decoder, the vision tower and the projector between
 * them, with the settings that join them.
 *
 * @param featureLayers       the tower's hidden states the image features are read from, as indices 0..layers
 *                            (0 = the embedding, i = the output of layer i − 1); more than one are concatenated
 * @param keepClassToken      'full': the CLS position stays among the features; 'default' drops it
 * @param projectorActivation between the projector's two Linears (GELU)
 * @param imageTokenId        the id that marks where the image goes in the text
 */
public record LlavaCheckpoint(ModelSpec textSpec, ModelWeights textWeights, ModelSpec towerSpec, ModelWeights towerWeights,
                              Linear projectorIn, Linear projectorOut, ModelSpec.Activation projectorActivation,
                              int[] featureLayers, boolean keepClassToken, int imageTokenId) {

    public LlavaCheckpoint {
        featureLayers = featureLayers.clone();
    }

    @Override
    public int[] featureLayers() {
        return featureLayers.clone();
    }
}
