package headwise.engine.vlm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoder's input for text plus one image: the embedded sequence [1, T, d] with the image's positions in
 * place of the image token, what each position holds, and the ids of the expanded sequence (the image token's id
 * at every image position).
 *
 * @param imageTokenAt where the image token was in the ids given (the first image position)
 */
public record JoinedInput(INDArray embedded, TokenClasses classes, int[] ids, int imageTokenAt) {

    public JoinedInput {
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    public int length() {
        return ids.length;
    }
}
