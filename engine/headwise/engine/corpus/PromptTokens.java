package headwise.engine.corpus;

import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import headwise.engine.tokenize.TokenizedText;

import java.nio.file.Path;

/** A corpus prompt as the model's token ids, checked as {@code analyze} checks its input; errors name file and line. */
public final class PromptTokens {

    private PromptTokens() {
    }

    public static int[] of(LoadedModel model, CorpusPrompt prompt, Path file) {
        String source = file + ":" + prompt.line();
        if (model.spec().vision() != null) {
            throw new HeadwiseException(source + ": " + model.name() + " is a vision model; corpus runs take text or ids");
        }
        ModelInput input;
        if (prompt.text() != null) {
            if (!model.hasTokenizer()) {
                throw new HeadwiseException(source + ": text needs a tokenizer and " + model.name()
                        + " has none (no tokenizer.json); give \"ids\" instead");
            }
            TokenizedText t = model.tokenizer().encode(prompt.text());
            input = new ModelInput(t.ids(), t.tokens(), t.offsets(), prompt.text());
        } else {
            input = new ModelInput(prompt.ids(), new String[prompt.ids().length], null, null);
        }
        input.validate(model.spec(), source);
        return input.ids();
    }
}
