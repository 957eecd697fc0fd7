package headwise.engine.run;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.tokenize.TokenizedText;

/**
 * The exact token sequence a model sees. {@code offsets} ([start, end) into {@code text}) and {@code text}
 * are null when the input was given as ids. For vision models {@code pixels} holds the preprocessed image
 * (channels-first) and {@code ids} are placeholders for the CLS/patch tokens; otherwise it is null.
 */
public record ModelInput(int[] ids, String[] tokens, int[][] offsets, String text, float[] pixels) {

    public ModelInput(int[] ids, String[] tokens, int[][] offsets, String text) {
        this(ids, tokens, offsets, text, null);
    }

    public int length() {
        return ids.length;
    }

    /** Tokenizes {@code text} with the model's tokenizer (special tokens as its post-processor adds them). */
    public static ModelInput fromText(LoadedModel model, String text) {
        TokenizedText t = model.tokenizer().encode(text);
        ModelInput input = new ModelInput(t.ids(), t.tokens(), t.offsets(), text);
        input.validate(model.spec(), "--text");
        return input;
    }

    /** Ids used exactly as given: no special tokens added. */
    public static ModelInput fromIds(LoadedModel model, int[] ids) {
        String[] tokens = model.hasTokenizer() ? model.tokenizer().tokensOf(checked(model.spec(), ids)) : placeholderTokens(ids);
        ModelInput input = new ModelInput(ids.clone(), tokens, null, null);
        input.validate(model.spec(), "--ids");
        return input;
    }

    /** Parses "5,17,3" (spaces allowed). */
    public static int[] parseIds(String csv) {
        String[] parts = csv.trim().split("\\s*,\\s*");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new HeadwiseException("--ids: '" + parts[i] + "' is not an integer token id");
            }
        }
        return ids;
    }

    private static int[] checked(ModelSpec spec, int[] ids) {
        new ModelInput(ids, placeholderTokens(ids), null, null).validate(spec, "--ids");
        return ids;
    }

    private static String[] placeholderTokens(int[] ids) {
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = "#" + ids[i];
        }
        return tokens;
    }

    /** Ids inside the vocabulary, length within the model's positions. */
    public void validate(ModelSpec spec, String source) {
        if (ids.length == 0) {
            throw new HeadwiseException(source + ": the input is empty");
        }
        if (spec.maxPositions() > 0 && ids.length > spec.maxPositions()) {
            throw new HeadwiseException(source + ": input is " + ids.length + " tokens, longer than the model's "
                    + spec.maxPositions() + " positions; shorten it to at most " + spec.maxPositions() + " tokens");
        }
        for (int id : ids) {
            if (id < 0 || id >= spec.vocabSize()) {
                throw new HeadwiseException(source + ": token id " + id + " is outside the vocabulary (0.." + (spec.vocabSize() - 1) + ")");
            }
        }
    }
}
