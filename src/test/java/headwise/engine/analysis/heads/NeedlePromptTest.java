package headwise.engine.analysis.heads;

import headwise.engine.Fixtures;
import headwise.engine.HeadwiseException;
import headwise.engine.tokenize.TextTokenizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeedlePromptTest {

    /** The needle span covers exactly the tokens that spell the needle, wherever the needle lands. */
    @Test
    void needleSpanIsTheNeedlesTokens() {
        try (TextTokenizer tokenizer = TextTokenizer.open(Fixtures.ROOT.resolve("tokenizers").resolve("llama3").resolve("tokenizer.json"))) {
            for (double depth : new double[] {0, 0.5, 1}) {
                NeedlePrompt p = NeedlePrompt.builtIn(tokenizer, null, null);
                if (depth != 0.5) {
                    p = NeedlePrompt.fromText(tokenizer, NeedlePrompt.DEFAULT_HAYSTACK, NeedlePrompt.DEFAULT_NEEDLE,
                            NeedlePrompt.DEFAULT_QUESTION, depth);
                }
                var t = tokenizer.encode(p.text());
                StringBuilder spelled = new StringBuilder();
                for (int i = p.needleStart(); i < p.needleEnd(); i++) {
                    int[] o = t.offsets()[i];
                    spelled.append(p.text(), o[0], o[1]);
                }
                assertEquals(NeedlePrompt.DEFAULT_NEEDLE, spelled.toString().strip(), "depth " + depth);
                assertTrue(p.text().endsWith(NeedlePrompt.DEFAULT_QUESTION));
            }
            assertThrows(HeadwiseException.class, () -> NeedlePrompt.builtIn(tokenizer, " ", null));
        }
    }
}
