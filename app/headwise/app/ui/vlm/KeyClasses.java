package headwise.app.ui.vlm;

import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.app.export.VlmViews;
import headwise.engine.vlm.analysis.KeyClassMaps;
import headwise.viz.vlm.KeyClassFigures;

/**
 * Token classes (system, text, image, generated) for the attention views of a vision-language run: which class each
 * key is, and the share of a head's attention each class gets, as one line for a page to show under its map.
 */
public final class KeyClasses {

    private KeyClasses() {
    }

    /** The classes of {@code input}'s positions when it is text joined with an image on {@code model}; else null. */
    public static TokenClasses of(LoadedModel model, ModelInput input) {
        return VlmViews.classes(model, input);
    }

    /**
     * "keys by class (mean over rows): text 41.0% · image 56.0%" for one head's matrix [t·t] (row = query), the mean over
     * every query row of the attention each class's keys get; classes no key has are left out. Null without classes.
     */
    public static String line(float[] matrix, int t, TokenClasses classes) {
        if (classes == null || classes.length() != t) {
            return null;
        }
        return "keys by class (mean over rows): " + shares(KeyClassMaps.ofHead(matrix, t, classes), 0, 0);
    }

    /** "text 41.0% · image 56.0%": the mean share of each class present at head (layer, head) of {@code maps}. */
    public static String shares(KeyClassMaps maps, int layer, int head) {
        return KeyClassFigures.shareLine(maps.present(), maps.shares(layer, head));
    }
}
