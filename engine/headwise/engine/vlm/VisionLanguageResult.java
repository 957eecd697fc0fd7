package headwise.engine.vlm;

import headwise.engine.image.PatchGrid;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.AttentionMaps;

/**
 * One run of a vision-language model, as plain arrays.
 *
 * @param decoder         the decoder's run over the joined sequence: attention [L, H, T, T], logits [T, V], and
 *                        its input (the expanded ids, with the image token's id at every image position)
 * @param visionAttention the tower's attention [Lv, Hv, P, P], every layer, P its own tokens (CLS first where it has one)
 * @param classes         what each of the T positions holds, and where the image grid lies
 * @param towerGrid       the tower's patch grid
 */
public record VisionLanguageResult(AnalysisResult decoder, AttentionMaps visionAttention, TokenClasses classes, PatchGrid towerGrid) {
}
