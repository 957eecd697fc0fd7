package headwise.app.export;

import headwise.app.session.Session;
import headwise.engine.Fixtures;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.run.ModelInput;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relevance through each head (AttnLRP) stands beside the importance measures once relevance maps exist. */
class ImportanceMeasuresTest {

    @Test
    void attnLrpHeadRelevanceJoinsTheMeasuresWhenComputed() {
        try (LoadedModel model = ModelLoader.load(Fixtures.model("gpt2_f32").toString())) {
            ModelInput input = ModelInput.fromIds(model, Fixtures.inputIds("gpt2_f32"));
            Session plain = SessionAnalysis.run(model, input, EnumSet.noneOf(SessionAnalysis.Part.class),
                    SessionAnalysis.Options.defaults());
            assertFalse(names(ImportanceMeasures.of(plain)).contains("relevance_attnlrp"));

            Session withRelevance = SessionAnalysis.run(model, input, EnumSet.of(SessionAnalysis.Part.RELEVANCE),
                    SessionAnalysis.Options.defaults());
            List<ImportanceMeasures.Measure> measures = ImportanceMeasures.of(withRelevance);
            assertEquals(List.of("relevance_attnlrp", "confidence", "entropy"), names(measures));
            RelevanceMap attnLrp = withRelevance.results().relevance().stream()
                    .filter(m -> m.method().equals("attnlrp")).findFirst().orElseThrow();
            double[][] shown = measures.get(0).scores();
            assertEquals(attnLrp.heads().length, shown.length);
            for (int layer = 0; layer < shown.length; layer++) {
                assertArrayEquals(attnLrp.heads()[layer], shown[layer], 0.0);
            }
            assertTrue(measures.get(0).note().contains("output " + attnLrp.target().id()), measures.get(0).note());
            // the model view's bars still read ablation or gradient only
            assertEquals(null, ImportanceMeasures.forBars(withRelevance));
        }
    }

    private static List<String> names(List<ImportanceMeasures.Measure> measures) {
        return measures.stream().map(ImportanceMeasures.Measure::shortName).toList();
    }
}
