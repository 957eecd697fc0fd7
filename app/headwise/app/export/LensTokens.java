package headwise.app.export;

import headwise.engine.load.LoadedModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adds {@code logit_lens.top_tokens} ([L+1][T][k] strings beside {@code top_ids}) to a metrics map, so views and
 * readers of metrics.json see words, not vocabulary ids. Without a tokenizer the names are "#id", like the input's.
 */
public final class LensTokens {

    public static final String KEY = "top_tokens";

    private LensTokens() {
    }

    /** Adds the names in place when the map has a logit lens; otherwise does nothing. */
    @SuppressWarnings("unchecked")
    public static void addNames(LoadedModel model, Map<String, Object> metrics) {
        if (metrics == null || !(metrics.get("logit_lens") instanceof Map<?, ?> lens) || !(lens.get("top_ids") instanceof List<?> rows)) {
            return;
        }
        List<Object> names = new ArrayList<>();
        for (Object row : rows) {
            List<Object> positions = new ArrayList<>();
            for (Object position : (List<?>) row) {
                List<?> ids = (List<?>) position;
                int[] array = new int[ids.size()];
                for (int i = 0; i < array.length; i++) {
                    array[i] = ((Number) ids.get(i)).intValue();
                }
                positions.add(List.of(names(model, array)));
            }
            names.add(positions);
        }
        ((Map<String, Object>) lens).put(KEY, names);
    }

    private static String[] names(LoadedModel model, int[] ids) {
        if (model.hasTokenizer()) {
            return model.tokenizer().tokensOf(ids);
        }
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = "#" + ids[i];
        }
        return out;
    }
}
