package headwise.engine.vlm;

import headwise.engine.image.PatchGrid;
import headwise.engine.run.ModelInput;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The tokens.json of a vision-language run: the joined sequence's tokens, their classes and where the image is. */
public final class VisionLanguageTokens {

    private VisionLanguageTokens() {
    }

    /**
     * {"ids", "tokens", "offsets" (text input only), "classes" (per position: "text", "image", "system"),
     * "image": {"token_id", "start", "positions", "rows", "cols", "class_token_position" (only when the tower's CLS is
     * in the sequence)}, "vision": {"tokens", "rows", "cols", "patch_size", "special_tokens"}}. Decoder position
     * image.start + row·cols + col is patch (row, col), the tower's token vision.special_tokens + row·cols + col.
     */
    public static Map<String, Object> json(ModelInput input, VisionLanguageResult result, int imageTokenId) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ids", input.ids());
        json.put("tokens", input.tokens());
        if (input.offsets() != null) {
            json.put("offsets", input.offsets());
        }
        TokenClasses classes = result.classes();
        String[] names = new String[classes.length()];
        int firstImage = -1;
        int positions = 0;
        for (int p = 0; p < names.length; p++) {
            names[p] = classes.at(p).name().toLowerCase(Locale.ROOT);
            if (input.ids()[p] == imageTokenId) {
                firstImage = firstImage < 0 ? p : firstImage;
                positions++;
            }
        }
        json.put("classes", names);
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("token_id", imageTokenId);
        image.put("start", classes.imageStart());
        image.put("positions", positions);
        image.put("rows", classes.gridRows());
        image.put("cols", classes.gridCols());
        if (firstImage >= 0 && firstImage < classes.imageStart()) {
            image.put("class_token_position", firstImage);
        }
        json.put("image", image);
        PatchGrid grid = result.towerGrid();
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("tokens", grid.tokens());
        vision.put("rows", grid.rows());
        vision.put("cols", grid.cols());
        vision.put("patch_size", grid.patchSize());
        vision.put("special_tokens", grid.specialTokens());
        json.put("vision", vision);
        return json;
    }
}
