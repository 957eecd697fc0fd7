package headwise.app.export;

import headwise.app.session.Session;

import headwise.engine.run.AttentionMaps;
import headwise.viz.view.HeadMarks;
import headwise.viz.view.ModelThumbnails;

import java.util.Arrays;
import java.util.List;

/**
 * The model view's marks: head types from metrics.json's head_types (TransformerLens detection on a repeated random
 * sequence) plus sink heads of this run, and the importance bar from the session's chosen measure (zero or mean
 * ablation, or gradient).
 */
public final class HeadCategories {

    /** In priority order: a head of several types is framed in the first that applies. */
    static final List<String> NAMES = List.of("induction", "duplicate-token", "previous-token", "sink (> half on token 0)");
    static final double SINK_HEAD_MASS = 0.5;

    private HeadCategories() {
    }

    /** @param tiles the run's model view tiles: their first-key mass marks the sink heads */
    static HeadMarks marks(Session s, ModelThumbnails tiles) {
        AttentionMaps a = s.result().attention();
        int[][] category = detected(s);
        double[][] firstToken = tiles.firstKeyMass();
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                if (category[l][h] < 0 && firstToken[l][h] > SINK_HEAD_MASS) {
                    category[l][h] = NAMES.size() - 1;
                }
            }
        }
        ImportanceMeasures.Measure importance = ImportanceMeasures.forBars(s);
        return new HeadMarks(NAMES, category, importance == null ? null : importance.scores(),
                importance == null ? null : importance.title());
    }

    /** Each head's detected type (the first of induction, duplicate-token, previous-token), null for none. */
    public static String[][] detectedTypes(Session s) {
        int[][] category = detected(s);
        String[][] out = new String[category.length][];
        for (int l = 0; l < category.length; l++) {
            out[l] = new String[category[l].length];
            for (int h = 0; h < category[l].length; h++) {
                out[l][h] = category[l][h] < 0 ? null : NAMES.get(category[l][h]);
            }
        }
        return out;
    }

    /** [layer][head] index into {@link #NAMES} from the metrics' head types, −1 for none (all −1 before metrics). */
    private static int[][] detected(Session s) {
        AttentionMaps a = s.result().attention();
        int[][] category = new int[a.layers()][a.heads()];
        for (int[] row : category) {
            Arrays.fill(row, -1);
        }
        String[] keys = {"induction_heads", "duplicate_token_heads", "previous_token_heads"};
        for (int c = keys.length - 1; c >= 0; c--) { // lowest priority first, overwritten by higher ones
            int[][] heads = MetricsMap.pairs(s.metrics(), "head_types", keys[c]);
            if (heads != null) {
                for (int[] lh : heads) {
                    category[lh[0]][lh[1]] = c;
                }
            }
        }
        return category;
    }
}
