package headwise.app.ui.vlm;

import headwise.app.export.VlmViews;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.analysis.KeyClassMaps;
import headwise.viz.vlm.KeyClassFigures;

/**
 * Token classes (system, text, image, generated) for the attention views of a vision-language run: which class each
 * key is, and the share of a head's attention each class gets, as one line for a page to show under its map.
 */
public final class KeyClasses {

    private KeyClasses() {
    }

    /**
     * The classes of {@code input}'s positions when it is text joined with an image on {@code model}; else null, also
     * when the run's image positions do not fit the open model (a run shown while another model has just opened).
     */
    public static TokenClasses of(LoadedModel model, ModelInput input) {
        try {
            return VlmViews.classes(model, input);
        } catch (HeadwiseException notThisModelsRun) {
            return null;
        }
    }

    /**
     * "keys by class (mean over rows): text 41.0% · image 56.0%" for one head's matrix [t·t] (row = query), the mean over
     * every query row of the attention each class's keys get; classes no key has are left out. Null without classes.
     */
    public static String line(float[] matrix, int t, TokenClasses classes) {
        if (classes == null || classes.length() != t) {
            return null;
        }
        KeyClassMaps head = KeyClassMaps.ofHead(matrix, t, classes);
        return "keys by class (mean over rows): " + KeyClassFigures.shareLine(head.present(), head.shares(0, 0));
    }
}
